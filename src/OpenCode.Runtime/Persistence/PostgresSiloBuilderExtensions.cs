using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenCode.Runtime.Audit;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace OpenCode.Runtime.Persistence;

public static class PostgresSiloBuilderExtensions
{
    /// <summary>The ADO.NET invariant of Npgsql, which the Orleans providers load by name.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Grain state (as storage <paramref name="storageName"/>) and reminders on PostgreSQL through the Orleans ADO.NET
    /// providers, and the audit log beside them, with this project's schema applied at start-up (<see cref="PostgresSchema"/>).
    /// </summary>
    public static ISiloBuilder AddPostgresPersistence(this ISiloBuilder silo, string storageName, string connectionString)
    {
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
            new PostgresSchema(connectionString, sp.GetRequiredService<ILogger<PostgresSchema>>()));
        silo.Services.AddPostgresGrainStorage(storageName, connectionString);
        silo.Services.AddPostgresAuditLog(connectionString);
        // A failed write reaches the caller wrapped around the NpgsqlException, often from another silo: Orleans
        // serializes exceptions only from namespaces it is told to, and would otherwise answer with a codec error.
        silo.Services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));
        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        return silo;
    }

    /// <summary>The ADO.NET grain storage named <paramref name="storageName"/> on PostgreSQL, as the cluster profile uses it.</summary>
    public static IServiceCollection AddPostgresGrainStorage(this IServiceCollection services, string storageName, string connectionString) =>
        services.AddAdoNetGrainStorage(storageName, options => options.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
            // The Orleans binary serializer, as in the embedded profile (the silo's default is JSON).
            o.GrainStorageSerializer = new ExactSizeGrainStorageSerializer(serializer);
            // Cleared state is deleted, as in the embedded profile: a later read finds no record and no etag.
            o.DeleteStateOnClear = true;
        }));
}
