using OpenCode.Runtime.Persistence;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace OpenCode.Runtime.Tests.Persistence;

[Alias("OpenCode.Runtime.Tests.Persistence.IPersistenceProbeGrain")]
public interface IPersistenceProbeGrain : IGrainWithStringKey
{
    [Alias("Set")]
    Task SetAsync(string text);

    [Alias("Get")]
    Task<ProbeSnapshot> GetAsync();
}

[GenerateSerializer]
[Alias("OpenCode.Runtime.Tests.Persistence.ProbeState")]
public sealed class ProbeState
{
    [Id(0)]
    public string Text { get; set; } = string.Empty;
}

[GenerateSerializer]
[Alias("OpenCode.Runtime.Tests.Persistence.ProbeSnapshot")]
public sealed record ProbeSnapshot([property: Id(0)] string Text, [property: Id(1)] bool RecordExists, [property: Id(2)] string? Etag);

public sealed class PersistenceProbeGrain([PersistentState("x", "store")] IPersistentState<ProbeState> state) : Grain, IPersistenceProbeGrain
{
    public async Task SetAsync(string text)
    {
        state.State.Text = text;
        await state.WriteStateAsync();
    }

    public Task<ProbeSnapshot> GetAsync() => Task.FromResult(new ProbeSnapshot(state.State.Text, state.RecordExists, state.Etag));
}

/// <summary>Adds the SQLite storage as "store", on the file named by the cluster's properties.</summary>
public sealed class SqliteStoreSiloConfigurator : ISiloConfigurator
{
    public const string DatabasePathKey = "SqliteStoreTests:DatabasePath";

    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.AddSqliteGrainStorage("store", options =>
            options.DatabasePath = siloBuilder.Configuration[DatabasePathKey]
                ?? throw new InvalidOperationException($"{DatabasePathKey} is not set."));
}

public sealed class SqliteGrainStorageClusterTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opencode-sqlite-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Grain_state_written_before_a_cluster_stops_is_read_by_a_new_cluster_on_the_same_file()
    {
        var databasePath = Path.Combine(_directory, "cluster.db");

        await using (var first = await StartClusterAsync(databasePath))
        {
            var grain = first.GrainFactory.GetGrain<IPersistenceProbeGrain>("conversation-1");
            Assert.False((await grain.GetAsync()).RecordExists);
            await grain.SetAsync("survives restarts");
            await first.StopAllSilosAsync();
        }

        Assert.True(File.Exists(databasePath));

        await using var second = await StartClusterAsync(databasePath);
        var snapshot = await second.GrainFactory.GetGrain<IPersistenceProbeGrain>("conversation-1").GetAsync();
        Assert.True(snapshot.RecordExists);
        Assert.Equal("survives restarts", snapshot.Text);
        Assert.Equal("1", snapshot.Etag);

        var untouched = await second.GrainFactory.GetGrain<IPersistenceProbeGrain>("conversation-2").GetAsync();
        Assert.False(untouched.RecordExists);
        Assert.Equal(string.Empty, untouched.Text);
    }

    private static async Task<TestCluster> StartClusterAsync(string databasePath)
    {
        var builder = new TestClusterBuilder(1);
        builder.Properties[SqliteStoreSiloConfigurator.DatabasePathKey] = databasePath;
        builder.AddSiloBuilderConfigurator<SqliteStoreSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
