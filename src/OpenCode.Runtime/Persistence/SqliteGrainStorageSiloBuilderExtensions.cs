using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace OpenCode.Runtime.Persistence;

/// <summary>Registers <see cref="SqliteGrainStorage"/> as a named Orleans grain storage.</summary>
public static class SqliteGrainStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds SQLite grain storage named <paramref name="name"/>, the name grains give in
    /// <c>[PersistentState("state", name)]</c>.
    /// </summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteGrainStorageOptions> configure)
    {
        builder.Services.AddSqliteGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds SQLite grain storage as the default storage (grains that name no storage).</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteGrainStorageOptions> configure) =>
        builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>
    /// Adds SQLite grain storage named <paramref name="name"/> to a silo's services: a keyed
    /// <see cref="IGrainStorage"/> singleton that also takes part in the silo lifecycle.
    /// </summary>
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name, Action<SqliteGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<SqliteGrainStorageOptions>(name).Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPostConfigureOptions<SqliteGrainStorageOptions>, DefaultSerializerConfigurator>());
        services.AddTransient<IConfigurationValidator>(sp =>
            new OptionsValidator(sp.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(name), name));
        services.ConfigureNamedOptionForLogging<SqliteGrainStorageOptions>(name);

        // Orleans' own convention: keyed IGrainStorage by name, unkeyed alias for "Default",
        // and ILifecycleParticipant<ISiloLifecycle> registration because the type implements it.
        return services.AddGrainStorage(name, SqliteGrainStorage.Create);
    }

    /// <summary>
    /// Fills <see cref="SqliteGrainStorageOptions.GrainStorageSerializer"/> when not set: a serializer
    /// keyed by the storage name, else Orleans' binary serializer.
    /// </summary>
    private sealed class DefaultSerializerConfigurator(IServiceProvider services) : IPostConfigureOptions<SqliteGrainStorageOptions>
    {
        public void PostConfigure(string? name, SqliteGrainStorageOptions options)
        {
            if (options.GrainStorageSerializer is not null)
            {
                return;
            }

            options.GrainStorageSerializer =
                (name is null ? null : services.GetKeyedService<IGrainStorageSerializer>(name))
                ?? new ExactSizeGrainStorageSerializer(services.GetRequiredService<Serializer>());
        }
    }

    private sealed class OptionsValidator(SqliteGrainStorageOptions options, string name) : IConfigurationValidator
    {
        public void ValidateConfiguration()
        {
            if (string.IsNullOrWhiteSpace(options.DatabasePath))
            {
                throw new OrleansConfigurationException(
                    $"Grain storage '{name}': {nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.DatabasePath)} is required.");
            }

            if (options.MaxReadConnections < 1 || options.MaxWriteBatchSize < 1)
            {
                throw new OrleansConfigurationException(
                    $"Grain storage '{name}': {nameof(SqliteGrainStorageOptions.MaxReadConnections)} and {nameof(SqliteGrainStorageOptions.MaxWriteBatchSize)} must be at least 1.");
            }
        }
    }
}
