using System.Globalization;
using OpenCode.Testing;

namespace OpenCode.Benchmarks;

/// <summary>
/// The <see cref="LibraryRelayServer"/> in a process of its own, run with the gateway's runtime configuration and
/// launch environment (garbage collector, thread pool), so the two differ only in what the gateway itself does.
/// </summary>
public sealed class LibraryRelayProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private LibraryRelayProcess(ChildProcess process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public int ProcessId => _process.Id;

    public Uri Url { get; }

    public static async Task<LibraryRelayProcess> StartAsync(Uri modelUrl)
    {
        var port = LoopbackPort.Next();
        var runtimeConfig = Path.ChangeExtension(RepositoryPaths.GatewayAssembly, ".runtimeconfig.json");
        var process = ChildProcess.Start(
            DotnetHost.Path,
            ["exec", "--runtimeconfig", runtimeConfig, typeof(LibraryRelayServer).Assembly.Location, "--library-relay", "--port", port.ToString(CultureInfo.InvariantCulture), "--model", modelUrl.ToString()],
            GatewayRuntimeSettings.Environment.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value)));
        var url = new Uri($"http://127.0.0.1:{port}");
        await process.WaitUntilReadyOrStopAsync(new Uri(url, "/ready"), TimeSpan.FromSeconds(30));

        return new LibraryRelayProcess(process, url);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
