namespace OpenCode.Testing;

/// <summary>
/// A real gateway silo in its own process on loopback ports of its own, with its own data directory, ready when
/// <c>/ready</c> answers 200: embedded profile unless <c>environment</c> sets the cluster's connection strings
/// (see <see cref="GatewayCluster"/>).
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly ChildProcess _process;

    private GatewayProcess(ChildProcess process, Uri baseUrl, int siloPort, int orleansGatewayPort, string dataDirectory)
    {
        _process = process;
        BaseUrl = baseUrl;
        SiloPort = siloPort;
        OrleansGatewayPort = orleansGatewayPort;
        DataDirectory = dataDirectory;
        Client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(120) };
    }

    public Uri BaseUrl { get; }

    /// <summary>The port silos talk to this silo on (the port of its <c>SiloAddress</c>).</summary>
    public int SiloPort { get; }

    /// <summary>The port Orleans clients (the OpenCode.Client library) connect to.</summary>
    public int OrleansGatewayPort { get; }

    public string DataDirectory { get; }

    public HttpClient Client { get; }

    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    /// <summary>The exit code once the process has exited; null while it runs.</summary>
    public int? ExitCode => _process.ExitCode;

    /// <summary>Starts a gateway on <paramref name="dataDirectory"/> (a new temporary one when null).</summary>
    public static async Task<GatewayProcess> StartAsync(
        string? dataDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        CancellationToken ct = default)
    {
        var gateway = RepositoryPaths.GatewayAssembly;
        if (!File.Exists(gateway))
        {
            throw new FileNotFoundException("Build the solution first: the gateway is not at the expected path.", gateway);
        }

        dataDirectory ??= Directory.CreateTempSubdirectory("opencode-gw-").FullName;
        var baseUrl = new Uri($"http://127.0.0.1:{LoopbackPort.Next()}");
        var siloPort = LoopbackPort.Next();
        var orleansGatewayPort = LoopbackPort.Next();
        var env = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = baseUrl.ToString(),
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["OPENCODE_DATA_DIR"] = dataDirectory,
            ["Orleans__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = orleansGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            // Keep the machine's provider keys out of tests.
            ["OPENAI_API_KEY"] = null,
            ["ANTHROPIC_API_KEY"] = null,
            // The embedded profile unless the caller asks for the cluster one: tests/run.sh exports these for the
            // cluster tests, and an inherited one would switch every gateway to the cluster profile.
            [TestServices.PostgresVariable] = null,
            [TestServices.RedisVariable] = null,
        };
        foreach (var (key, value) in GatewayRuntimeSettings.Environment)
        {
            env[key] = value;
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        var process = ChildProcess.StartDotnet(gateway, [], env, Path.GetDirectoryName(gateway));
        await process.WaitUntilReadyOrStopAsync(new Uri(baseUrl, "/ready"), StartTimeout, ct);

        return new GatewayProcess(process, baseUrl, siloPort, orleansGatewayPort, dataDirectory);
    }

    /// <summary>Stops the process gracefully (SIGTERM, then kill after <paramref name="grace"/>).</summary>
    public Task StopAsync(TimeSpan grace) => _process.StopAsync(grace);

    public void Kill() => _process.Kill();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _process.DisposeAsync();
    }
}
