using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenCode.Runtime.Audit;
using OpenCode.Runtime.Conversations;
using OpenCode.Runtime.Limits;
using OpenCode.Runtime.Persistence;
using OpenCode.Runtime.Telemetry;
using Orleans.Configuration;
using StackExchange.Redis;

namespace OpenCode.Runtime;

public static class SiloBuilderExtensions
{
    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;

    /// <summary>Below Kubernetes' default grace period (30 s), so a pod leaves the cluster before it is killed.</summary>
    public const int DefaultShutdownTimeoutSeconds = 20;

    /// <summary>Cluster profile: how long a membership probe may go unanswered (<c>Orleans:ProbeTimeoutSeconds</c>).</summary>
    public const int DefaultProbeTimeoutSeconds = 2;

    /// <summary>
    /// The silo of either profile. Embedded (the default): one silo with localhost clustering and grain state in a
    /// SQLite file under the data directory, reminders in another, so agents, conversations and unfinished turns survive restarts. Cluster (when
    /// <see cref="ClusterProfile"/> finds both connection strings): membership in Redis, grain state and reminders
    /// in PostgreSQL, any number of silos. The audit log is a table of the grain state's store in either.
    /// </summary>
    public static ISiloBuilder UseOpenCodeSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var orleans = configuration.GetSection("Orleans");
        if (ClusterProfile.From(configuration) is { } cluster)
        {
            silo.UseClusterProfile(orleans, cluster);
        }
        else
        {
            silo.UseEmbeddedProfile(orleans, configuration);
        }

        // Unfinished turns are kept alive by a reminder of this period (Orleans' minimum is lowered to it when shorter).
        var turnReminder = TimeSpan.FromSeconds(Math.Max(1, orleans.GetValue("TurnReminderSeconds", TurnReminderOptions.DefaultPeriodSeconds)));
        silo.Services.Configure<TurnReminderOptions>(o => o.Period = turnReminder);
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = turnReminder < o.MinimumReminderPeriod ? turnReminder : o.MinimumReminderPeriod);

        // The directory cache remembers where remote grains live; its default size preallocates megabytes a
        // gateway of this size never fills.
        silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = orleans.GetValue("DirectoryCacheSize", 100_000));
        // SIGTERM stops the host within this time: the silo leaves Active (so /ready answers 503), deactivates its
        // grains and leaves membership (the others take over its grains at once, not after a failure detection),
        // then HTTP stops.
        silo.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(orleans.GetValue("ShutdownTimeoutSeconds", DefaultShutdownTimeoutSeconds)));
        silo.Services.Configure<AuditOptions>(o => o.IncludePayloads = configuration.GetValue("Audit:IncludePayloads", false));
        silo.Services.Configure<LimitsOptions>(configuration.GetSection(LimitsOptions.Section));
        if (OtlpExport.IsConfigured(configuration))
        {
            // Grain calls carry the caller's trace and report their own spans (only while tracing is exported).
            silo.AddActivityPropagation();
        }

        silo.Services.AddOpenCodeRuntime();
        return silo;
    }

    /// <summary><c>OPENCODE_DATA_DIR</c>, else the user's local data folder.</summary>
    public static string DataDirectory(IConfiguration configuration) =>
        configuration["OPENCODE_DATA_DIR"] is { Length: > 0 } dir
            ? Path.GetFullPath(dir)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "opencode-orleans");

    private static void UseEmbeddedProfile(this ISiloBuilder silo, IConfigurationSection orleans, IConfiguration configuration)
    {
        silo.UseLocalhostClustering(
            siloPort: orleans.GetValue("SiloPort", DefaultSiloPort),
            gatewayPort: orleans.GetValue("GatewayPort", DefaultGatewayPort),
            serviceId: ServiceId(orleans),
            clusterId: ClusterId(orleans));
        silo.Configure<EndpointOptions>(o => o.AdvertisedIPAddress = IPAddress.Loopback);
        silo.AddSqliteGrainStorage(OpenCodeStorage.Name, o => o.DatabasePath = Path.Combine(DataDirectory(configuration), "opencode.db"));
        silo.Services.AddSqliteAuditLog(OpenCodeStorage.Name);
        silo.UseSqliteReminderService(o => o.DatabasePath = Path.Combine(DataDirectory(configuration), "reminders.db"));
    }

    /// <summary>
    /// Silos find each other through Redis and advertise <c>Orleans:AdvertisedIPAddress</c> (default: the host's
    /// address, which is the pod's in Kubernetes; set 127.0.0.1 to run several silos on one machine, and they then
    /// listen on loopback only).
    /// </summary>
    private static void UseClusterProfile(this ISiloBuilder silo, IConfigurationSection orleans, ClusterProfile cluster)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = ClusterId(orleans);
            o.ServiceId = ServiceId(orleans);
        });
        var siloPort = orleans.GetValue("SiloPort", DefaultSiloPort);
        var gatewayPort = orleans.GetValue("GatewayPort", DefaultGatewayPort);
        if (orleans["AdvertisedIPAddress"] is { Length: > 0 } advertised)
        {
            var address = IPAddress.Parse(advertised);
            silo.ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(address));
        }
        else
        {
            silo.ConfigureEndpoints(siloPort, gatewayPort);
        }

        silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.Redis));
        // A silo is declared dead after NumMissedProbesLimit (3) unanswered probes: with Orleans' 5 s per probe its
        // conversations wait about 15 s for another silo; 2 s still tolerates long pauses and halves that.
        silo.Configure<ClusterMembershipOptions>(o =>
            o.ProbeTimeout = TimeSpan.FromSeconds(orleans.GetValue("ProbeTimeoutSeconds", DefaultProbeTimeoutSeconds)));
        silo.AddPostgresPersistence(OpenCodeStorage.Name, cluster.Postgres);
    }

    private static string ServiceId(IConfigurationSection orleans) => orleans["ServiceId"] ?? "opencode";

    private static string ClusterId(IConfigurationSection orleans) => orleans["ClusterId"] ?? "opencode-local";
}
