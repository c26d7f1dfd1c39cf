using OpenCode.Runtime.Persistence;
using OpenCode.Testing;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace OpenCode.Runtime.Tests.Persistence;

[Alias("OpenCode.Runtime.Tests.Persistence.IReminderProbeGrain")]
public interface IReminderProbeGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task StartAsync(TimeSpan period);

    [Alias("Stop")]
    Task StopAsync();

    [Alias("Ticks")]
    Task<int> TicksAsync();
}

public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    private const string ReminderName = "probe";
    private int _ticks;

    public Task StartAsync(TimeSpan period) => this.RegisterOrUpdateReminder(ReminderName, period, period);

    public async Task StopAsync() => await this.UnregisterReminder(await this.GetReminder(ReminderName) ?? throw new InvalidOperationException("No reminder to stop."));

    public Task<int> TicksAsync() => Task.FromResult(_ticks);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _ticks++;
        return Task.CompletedTask;
    }
}

/// <summary>The cluster profile's persistence (<see cref="PostgresSiloBuilderExtensions.AddPostgresPersistence"/>) on the database named by the cluster's properties.</summary>
public sealed class PostgresPersistenceSiloConfigurator : ISiloConfigurator
{
    public const string ConnectionStringKey = "PostgresSiloTests:ConnectionString";

    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.AddPostgresPersistence("store", siloBuilder.Configuration[ConnectionStringKey]
            ?? throw new InvalidOperationException($"{ConnectionStringKey} is not set."));
        // Reminders of a second, so the test sees them fire.
        siloBuilder.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }
}

/// <summary>Silos whose state and reminders live in a real PostgreSQL database of their own, schema applied at start.</summary>
public sealed class PostgresSiloTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Grain_state_written_before_a_cluster_stops_is_read_by_a_new_cluster_on_the_same_database()
    {
        await using (var first = await StartClusterAsync())
        {
            var grain = first.GrainFactory.GetGrain<IPersistenceProbeGrain>("conversation-1");
            Assert.False((await grain.GetAsync()).RecordExists);
            await grain.SetAsync("survives restarts");
            await first.StopAllSilosAsync();
        }

        await using var second = await StartClusterAsync();
        var snapshot = await second.GrainFactory.GetGrain<IPersistenceProbeGrain>("conversation-1").GetAsync();
        Assert.True(snapshot.RecordExists);
        Assert.Equal("survives restarts", snapshot.Text);
        Assert.Equal("1", snapshot.Etag);
        Assert.False((await second.GrainFactory.GetGrain<IPersistenceProbeGrain>("conversation-2").GetAsync()).RecordExists);
    }

    [Fact]
    public async Task A_reminder_is_stored_in_postgres_fires_and_is_removed_when_unregistered()
    {
        await using var cluster = await StartClusterAsync();
        var grain = cluster.GrainFactory.GetGrain<IReminderProbeGrain>("reminded");

        await grain.StartAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(1L, await _database.ScalarAsync<long>("SELECT count(*) FROM opencode_reminders WHERE reminder_name = 'probe'"));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await grain.TicksAsync() < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(await grain.TicksAsync() >= 2, $"the reminder fired {await grain.TicksAsync()} times in 30 s");
        await grain.StopAsync();
        Assert.Equal(0L, await _database.ScalarAsync<long>("SELECT count(*) FROM opencode_reminders"));
    }

    private async Task<TestCluster> StartClusterAsync()
    {
        // A fixed service id: a new cluster of the same service reads the state of the previous one.
        var builder = new TestClusterBuilder(1);
        builder.Options.ServiceId = "postgres-silo-tests";
        builder.Properties[PostgresPersistenceSiloConfigurator.ConnectionStringKey] = _database.ConnectionString;
        builder.AddSiloBuilderConfigurator<PostgresPersistenceSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
