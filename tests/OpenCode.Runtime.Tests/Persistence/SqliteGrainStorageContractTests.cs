using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCode.Runtime.Persistence;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace OpenCode.Runtime.Tests.Persistence;

/// <summary>The grain storage contract against <see cref="SqliteGrainStorage"/> on a temporary file.</summary>
public sealed class SqliteGrainStorageContractTests : GrainStorageContractTests
{
    private static readonly ServiceProvider SerializationServices = new ServiceCollection()
        .AddSerializer(serializer => serializer.AddAssembly(typeof(ContractState).Assembly))
        .BuildServiceProvider();

    // A directory that does not exist yet: the storage must create it.
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opencode-sqlite-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_directory, "nested", "state.db");

    protected override async Task<IGrainStorage> OpenStorageAsync()
    {
        var storage = CreateStorage();
        await storage.StartAsync();
        return storage;
    }

    protected override Task CloseStorageAsync(IGrainStorage storage) => ((SqliteGrainStorage)storage).StopAsync();

    protected override Task DeleteBackingStoreAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public void The_database_file_is_created_in_a_new_directory_and_runs_in_WAL_mode()
    {
        Assert.True(File.Exists(DatabasePath));

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar() as string);
    }

    [Fact]
    public async Task The_etag_is_a_version_number_counting_writes()
    {
        var grainId = NewGrainId();
        var state = new GrainState<ContractState>(new ContractState());

        await Storage.WriteStateAsync("counted", grainId, state);
        Assert.Equal("1", state.ETag);
        await Storage.WriteStateAsync("counted", grainId, state);
        Assert.Equal("2", state.ETag);
    }

    [Fact]
    public async Task An_etag_this_storage_did_not_issue_is_a_conflict()
    {
        var grainId = NewGrainId();
        var state = new GrainState<ContractState>(new ContractState());
        await Storage.WriteStateAsync("foreign", grainId, state);

        var foreign = new GrainState<ContractState>(new ContractState(), "W/\"0x8D\"") { RecordExists = true };
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync("foreign", grainId, foreign));

        Assert.Equal("1", conflict.StoredEtag);
    }

    [Fact]
    public async Task A_storage_that_is_not_started_says_so()
    {
        var storage = CreateStorage();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => storage.ReadStateAsync("x", NewGrainId(), new GrainState<ContractState>(new ContractState())));

        Assert.Contains("not started", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stopped_storage_refuses_writes()
    {
        var storage = (SqliteGrainStorage)await OpenTrackedAsync();
        await storage.StopAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => storage.WriteStateAsync("x", NewGrainId(), new GrainState<ContractState>(new ContractState())));
    }

    [Fact]
    public async Task Two_storages_on_one_file_writing_at_once_wait_for_each_other_instead_of_failing_busy()
    {
        var other = await OpenTrackedAsync();
        var storages = new[] { Storage, other };

        var writes = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var state = new GrainState<ContractState>(new ContractState { Number = i, Data = new byte[4096] });
            await storages[i % 2].WriteStateAsync("shared", GrainId.Create("shared", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), state);
            return state.ETag;
        }));

        var etags = await Task.WhenAll(writes);
        Assert.All(etags, etag => Assert.Equal("1", etag));
    }

    [Fact]
    public async Task Committed_writes_are_copied_from_the_WAL_into_the_database_file_in_the_background()
    {
        var storage = CreateStorage(walCheckpointInterval: TimeSpan.FromMilliseconds(100));
        await storage.StartAsync();
        try
        {
            var before = new FileInfo(DatabasePath).Length;
            for (var i = 0; i < 64; i++)
            {
                await storage.WriteStateAsync("wal", NewGrainId(), new GrainState<ContractState>(new ContractState { Data = new byte[8192] }));
            }

            // 512 KiB went into the WAL, far below SQLite's own automatic checkpoint (1,000 pages): only the
            // background checkpoint moves it into the database file while the storage is open.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (new FileInfo(DatabasePath).Length < before + (64 * 8192) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(new FileInfo(DatabasePath).Length >= before + (64 * 8192), $"The database file is {new FileInfo(DatabasePath).Length} bytes.");
        }
        finally
        {
            await storage.StopAsync();
        }
    }

    [Fact]
    public async Task The_WAL_starts_over_while_writes_never_pause()
    {
        var storage = CreateStorage(walCheckpointInterval: TimeSpan.FromMilliseconds(50));
        await storage.StartAsync();
        try
        {
            // Eight writers, each with a write always in flight, so no background pass ever finds the writer idle.
            var written = 0L;
            var largestWal = 0L;
            var walPath = DatabasePath + "-wal";
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            var writers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                var grain = NewGrainId();
                var state = new GrainState<ContractState>(new ContractState { Data = new byte[8192] });
                while (!stop.IsCancellationRequested)
                {
                    await storage.WriteStateAsync("wal", grain, state);
                    Interlocked.Add(ref written, 8192);
                }
            })).ToList();
            while (!stop.IsCancellationRequested)
            {
                largestWal = Math.Max(largestWal, File.Exists(walPath) ? new FileInfo(walPath).Length : 0);
                await Task.Delay(20);
            }

            await Task.WhenAll(writers);

            // Without starting over, the WAL holds every page ever written (more than was written, with the b-tree's).
            Assert.True(written > 16 * 1024 * 1024, $"Only {written} bytes were written.");
            Assert.True(largestWal < written / 4, $"The WAL reached {largestWal} bytes after {written} bytes were written.");
        }
        finally
        {
            await storage.StopAsync();
        }
    }

    private SqliteGrainStorage CreateStorage(TimeSpan? walCheckpointInterval = null) => new(
        "test",
        new SqliteGrainStorageOptions
        {
            DatabasePath = DatabasePath,
            WalCheckpointInterval = walCheckpointInterval ?? TimeSpan.FromSeconds(1),
            GrainStorageSerializer = new OrleansGrainStorageSerializer(SerializationServices.GetRequiredService<Serializer>()),
        },
        SerializationServices.GetRequiredService<IActivatorProvider>(),
        NullLogger<SqliteGrainStorage>.Instance);
}
