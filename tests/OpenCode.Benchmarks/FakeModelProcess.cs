using System.Globalization;
using OpenCode.Testing;

namespace OpenCode.Benchmarks;

/// <summary>The fake model (zero latency unless told) in a process of its own, so its CPU is not the load generator's.</summary>
public sealed class FakeModelProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private FakeModelProcess(ChildProcess process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public int ProcessId => _process.Id;

    /// <summary>The OpenAI-compatible base URL (ends in <c>/v1/</c>).</summary>
    public Uri Url { get; }

    /// <param name="options">More options of the <c>fake-model</c> command, e.g. <c>--token-interval-ms 20</c>.</param>
    public static async Task<FakeModelProcess> StartAsync(params string[] options)
    {
        var port = LoopbackPort.Next();
        var process = ChildProcess.StartDotnet(typeof(FakeModelServer).Assembly.Location, ["fake-model", "--port", port.ToString(CultureInfo.InvariantCulture), .. options]);
        var url = new Uri($"http://127.0.0.1:{port}/v1/");
        await process.WaitUntilReadyOrStopAsync(new Uri(url, "models"), TimeSpan.FromSeconds(30));

        return new FakeModelProcess(process, url);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
