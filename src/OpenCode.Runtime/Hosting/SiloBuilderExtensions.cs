using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenCode.Runtime.Persistence;
using Orleans.Configuration;

namespace OpenCode.Runtime;

public static class SiloBuilderExtensions
{
    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;

    /// <summary>
    /// The embedded profile: one silo with localhost clustering and grain state in a SQLite file under
    /// the data directory, so agents and conversations survive restarts.
    /// </summary>
    public static ISiloBuilder UseOpenCodeSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var orleans = configuration.GetSection("Orleans");
        silo.UseLocalhostClustering(
            siloPort: orleans.GetValue("SiloPort", DefaultSiloPort),
            gatewayPort: orleans.GetValue("GatewayPort", DefaultGatewayPort),
            serviceId: orleans["ServiceId"] ?? "opencode",
            clusterId: orleans["ClusterId"] ?? "opencode-local");
        silo.Configure<EndpointOptions>(o => o.AdvertisedIPAddress = IPAddress.Loopback);
        // The directory cache remembers where remote grains live; its default size preallocates megabytes a
        // gateway of this size never fills.
        silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = orleans.GetValue("DirectoryCacheSize", 100_000));
        silo.AddSqliteGrainStorage(OpenCodeStorage.Name, o => o.DatabasePath = Path.Combine(DataDirectory(configuration), "opencode.db"));
        silo.Services.AddOpenCodeRuntime();
        return silo;
    }

    /// <summary><c>OPENCODE_DATA_DIR</c>, else the user's local data folder.</summary>
    public static string DataDirectory(IConfiguration configuration) =>
        configuration["OPENCODE_DATA_DIR"] is { Length: > 0 } dir
            ? Path.GetFullPath(dir)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "opencode-orleans");
}
