using System.Globalization;

namespace OpenCode.Testing;

/// <summary>
/// Gateway silo processes in the cluster profile, forming one Orleans cluster: membership in the tests' Redis (a
/// cluster id of their own), state and reminders in a PostgreSQL database, every silo advertising 127.0.0.1.
/// </summary>
public sealed class GatewayCluster : IAsyncDisposable
{
    private readonly List<GatewayProcess> _gateways = [];
    private readonly Dictionary<string, string?> _environment;

    private GatewayCluster(Dictionary<string, string?> environment) => _environment = environment;

    public IReadOnlyList<GatewayProcess> Gateways => _gateways;

    public string ClusterId => _environment["Orleans__ClusterId"]!;

    public string ServiceId => _environment["Orleans__ServiceId"]!;

    /// <summary>
    /// Starts <paramref name="silos"/> gateways at once (they apply the schema together) on
    /// <paramref name="postgresConnectionString"/>, with <paramref name="environment"/> added to each.
    /// </summary>
    public static async Task<GatewayCluster> StartAsync(int silos, string postgresConnectionString, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [TestServices.PostgresVariable] = postgresConnectionString,
            [TestServices.RedisVariable] = TestServices.RedisConnectionString,
            ["Orleans__ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..12],
            ["Orleans__ServiceId"] = "opencode-tests",
            ["Orleans__AdvertisedIPAddress"] = "127.0.0.1",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var starts = Enumerable.Range(0, silos).Select(_ => GatewayProcess.StartAsync(environment: settings)).ToList();
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync();
            }

            throw;
        }

        var cluster = new GatewayCluster(settings);
        cluster._gateways.AddRange(starts.Select(s => s.Result));
        return cluster;
    }

    /// <summary>Adds one more silo to the cluster.</summary>
    public async Task<GatewayProcess> StartSiloAsync()
    {
        var gateway = await GatewayProcess.StartAsync(environment: _environment);
        _gateways.Add(gateway);
        return gateway;
    }

    public override string ToString() =>
        $"cluster {ClusterId}: " + string.Join(", ", _gateways.Select(g => g.BaseUrl.ToString() + " pid " + g.ProcessId.ToString(CultureInfo.InvariantCulture)));

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }
    }
}
