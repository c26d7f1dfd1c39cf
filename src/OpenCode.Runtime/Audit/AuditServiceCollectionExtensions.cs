using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenCode.Runtime.Persistence;
using Orleans.Configuration;
using Orleans.Storage;

namespace OpenCode.Runtime.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>The audit log in the SQLite file of the grain storage named <paramref name="storageName"/> (embedded profile).</summary>
    public static IServiceCollection AddSqliteAuditLog(this IServiceCollection services, string storageName) =>
        services.AddSingleton<IAuditLog>(sp => new SqliteAuditLog((SqliteGrainStorage)sp.GetRequiredKeyedService<IGrainStorage>(storageName)));

    /// <summary>The audit log in the PostgreSQL database of the grain state (cluster profile), under the silo's service id.</summary>
    public static IServiceCollection AddPostgresAuditLog(this IServiceCollection services, string connectionString) =>
        services.AddSingleton<IAuditLog>(sp => new PostgresAuditLog(
            connectionString, sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, sp.GetRequiredService<ILogger<PostgresAuditLog>>()));
}
