using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenCode.Runtime.Persistence;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace OpenCode.Runtime.Tests.Persistence;

public sealed class SqliteGrainStorageRegistrationTests
{
    private static ServiceProvider BuildServices(string name, Action<SqliteGrainStorageOptions> configure, Action<IServiceCollection>? extra = null)
    {
        var services = new ServiceCollection().AddLogging().AddSerializer();
        extra?.Invoke(services);
        services.AddSqliteGrainStorage(name, configure);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void A_named_storage_is_a_keyed_grain_storage_and_a_silo_lifecycle_participant()
    {
        using var services = BuildServices("store", options => options.DatabasePath = "unused.db");

        var storage = services.GetRequiredKeyedService<IGrainStorage>("store");

        Assert.IsType<SqliteGrainStorage>(storage);
        Assert.Null(services.GetService<IGrainStorage>());
        Assert.Contains(services.GetServices<ILifecycleParticipant<ISiloLifecycle>>(), participant => ReferenceEquals(participant, storage));
    }

    [Fact]
    public void The_default_storage_is_also_the_unkeyed_grain_storage()
    {
        using var services = BuildServices(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, options => options.DatabasePath = "unused.db");

        var keyed = services.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);

        Assert.Same(keyed, services.GetRequiredService<IGrainStorage>());
    }

    [Fact]
    public void The_serializer_defaults_to_the_Orleans_binary_serializer()
    {
        using var services = BuildServices("store", options => options.DatabasePath = "unused.db");

        var options = services.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get("store");

        Assert.IsType<ExactSizeGrainStorageSerializer>(options.GrainStorageSerializer);
    }

    [Fact]
    public void A_serializer_keyed_by_the_storage_name_is_preferred()
    {
        using var services = BuildServices(
            "store",
            options => options.DatabasePath = "unused.db",
            extra => extra.AddKeyedSingleton<IGrainStorageSerializer>("store", (sp, _) => new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>())));

        var options = services.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get("store");

        Assert.Same(services.GetRequiredKeyedService<IGrainStorageSerializer>("store"), options.GrainStorageSerializer);
    }

    [Fact]
    public void A_missing_database_path_fails_silo_configuration_validation()
    {
        using var services = BuildServices("store", _ => { });

        var validator = Assert.Single(services.GetServices<IConfigurationValidator>());
        var error = Assert.Throws<OrleansConfigurationException>(validator.ValidateConfiguration);

        Assert.Contains(nameof(SqliteGrainStorageOptions.DatabasePath), error.Message, StringComparison.Ordinal);
    }
}
