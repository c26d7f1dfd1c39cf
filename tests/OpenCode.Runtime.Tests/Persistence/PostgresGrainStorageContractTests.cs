using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCode.Runtime.Persistence;
using OpenCode.Testing;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace OpenCode.Runtime.Tests.Persistence;

/// <summary>
/// The grain storage contract against the Orleans ADO.NET storage on a real PostgreSQL database of its own, with this
/// project's schema, configured as the cluster profile configures it.
/// </summary>
public sealed class PostgresGrainStorageContractTests : GrainStorageContractTests
{
    private readonly List<StartedStorage> _started = [];
    private PostgresDatabase? _database;

    protected override bool ConflictsNameTheEtags => false;

    protected override async Task<IGrainStorage> OpenStorageAsync()
    {
        if (_database is null)
        {
            _database = await PostgresDatabase.CreateAsync();
            await new PostgresSchema(_database.ConnectionString, NullLogger<PostgresSchema>.Instance).ApplyAsync();
        }

        var started = await StartStorageAsync("contract-tests");
        _started.Add(started);
        return started.Storage;
    }

    protected override async Task CloseStorageAsync(IGrainStorage storage)
    {
        // Closing twice is allowed, as for a silo's storage: the base class closes every storage it opened at the end.
        if (_started.SingleOrDefault(s => ReferenceEquals(s.Storage, storage)) is { } started)
        {
            _started.Remove(started);
            await started.DisposeAsync();
        }
    }

    protected override async Task DeleteBackingStoreAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_etag_is_the_row_version_and_a_cleared_record_is_gone_from_the_table()
    {
        var grainId = NewGrainId();
        var state = new GrainState<ContractState>(new ContractState { Text = "row" });

        await Storage.WriteStateAsync("versions", grainId, state);
        Assert.Equal("1", state.ETag);
        await Storage.WriteStateAsync("versions", grainId, state);
        Assert.Equal("2", state.ETag);
        Assert.Equal(2, await _database!.ScalarAsync<int>("SELECT version FROM opencode_grain_state WHERE state_name = 'versions'"));

        await Storage.ClearStateAsync("versions", grainId, state);
        Assert.Equal(0L, await _database.ScalarAsync<long>("SELECT count(*) FROM opencode_grain_state WHERE state_name = 'versions'"));
    }

    [Fact]
    public async Task Services_sharing_a_database_do_not_see_each_other_s_state()
    {
        var grainId = NewGrainId();
        await Storage.WriteStateAsync("shared", grainId, new GrainState<ContractState>(new ContractState { Text = "contract-tests" }));
        await using var other = await StartStorageAsync("another-service");

        var read = new GrainState<ContractState>(new ContractState());
        await other.Storage.ReadStateAsync("shared", grainId, read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
    }

    /// <summary>What a silo of the cluster profile builds: the same registration, started by its lifecycle.</summary>
    private async Task<StartedStorage> StartStorageAsync(string serviceId)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSerializer(serializer => serializer.AddAssembly(typeof(ContractState).Assembly))
            .Configure<ClusterOptions>(o => o.ServiceId = serviceId);
        services.AddPostgresGrainStorage("store", _database!.ConnectionString);
        var provider = services.BuildServiceProvider();
        var lifecycle = new LifecycleRunner();
        foreach (var participant in provider.GetServices<ILifecycleParticipant<ISiloLifecycle>>())
        {
            participant.Participate(lifecycle);
        }

        await lifecycle.StartAsync();
        return new StartedStorage(provider, lifecycle, provider.GetRequiredKeyedService<IGrainStorage>("store"));
    }

    private sealed record StartedStorage(ServiceProvider Services, LifecycleRunner Lifecycle, IGrainStorage Storage) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Lifecycle.StopAsync();
            await Services.DisposeAsync();
        }
    }
}
