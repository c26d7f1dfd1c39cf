using Orleans.Runtime;
using Orleans.Storage;

namespace OpenCode.Runtime.Tests.Persistence;

/// <summary>State written by the storage contract tests.</summary>
[GenerateSerializer]
[Alias("OpenCode.Runtime.Tests.Persistence.ContractState")]
public sealed class ContractState
{
    [Id(0)]
    public string Text { get; set; } = string.Empty;

    [Id(1)]
    public int Number { get; set; }

    [Id(2)]
    public byte[] Data { get; set; } = [];
}

/// <summary>
/// The behaviour every <see cref="IGrainStorage"/> of this project must have, whatever the
/// database behind it. A derived class supplies storages that share one backing store.
/// </summary>
public abstract class GrainStorageContractTests : IAsyncLifetime
{
    private const string StateName = "contract";
    private readonly List<IGrainStorage> _opened = [];

    /// <summary>The storage opened for the current test.</summary>
    protected IGrainStorage Storage { get; private set; } = null!;

    /// <summary>
    /// Opens a new storage instance over the same backing store as every other instance of
    /// this test: what a silo restart would open.
    /// </summary>
    protected abstract Task<IGrainStorage> OpenStorageAsync();

    /// <summary>Closes a storage instance (what a silo stop would do).</summary>
    protected abstract Task CloseStorageAsync(IGrainStorage storage);

    /// <summary>
    /// Whether an etag conflict names the stored and the offered etag (<see cref="InconsistentStateException.StoredEtag"/>,
    /// <see cref="InconsistentStateException.CurrentEtag"/>). Orleans does not require it; the ADO.NET provider does not.
    /// </summary>
    protected virtual bool ConflictsNameTheEtags => true;

    /// <summary>Removes the backing store after every instance has been closed.</summary>
    protected virtual Task DeleteBackingStoreAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => Storage = await OpenTrackedAsync();

    public async Task DisposeAsync()
    {
        foreach (var storage in _opened)
        {
            await CloseStorageAsync(storage);
        }

        await DeleteBackingStoreAsync();
    }

    [Fact]
    public async Task Read_of_a_missing_record_gives_the_default_state_and_no_etag()
    {
        var state = new GrainState<ContractState>(new ContractState { Text = "left over", Number = 7 }, "99");

        await Storage.ReadStateAsync(StateName, NewGrainId(), state);

        Assert.NotNull(state.State);
        Assert.Equal(string.Empty, state.State!.Text);
        Assert.Equal(0, state.State!.Number);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
    }

    [Fact]
    public async Task Written_state_is_read_back_by_a_fresh_storage_instance()
    {
        var grainId = NewGrainId();
        var written = new GrainState<ContractState>(new ContractState { Text = "hello", Number = 42, Data = [1, 2, 3] });

        await Storage.WriteStateAsync(StateName, grainId, written);
        Assert.NotNull(written.ETag);
        Assert.True(written.RecordExists);

        await CloseStorageAsync(Storage);
        var restarted = await OpenTrackedAsync();
        var read = new GrainState<ContractState>(new ContractState());
        await restarted.ReadStateAsync(StateName, grainId, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal("hello", read.State!.Text);
        Assert.Equal(42, read.State!.Number);
        Assert.Equal(new byte[] { 1, 2, 3 }, read.State!.Data);
    }

    [Fact]
    public async Task Each_write_with_the_current_etag_succeeds_and_changes_the_etag()
    {
        var grainId = NewGrainId();
        var state = new GrainState<ContractState>(new ContractState { Number = 1 });
        await Storage.WriteStateAsync(StateName, grainId, state);
        var first = state.ETag;

        state.State!.Number = 2;
        await Storage.WriteStateAsync(StateName, grainId, state);

        Assert.NotNull(state.ETag);
        Assert.NotEqual(first, state.ETag);
        var read = await ReadAsync(Storage, grainId);
        Assert.Equal(2, read.State!.Number);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task Write_with_a_stale_etag_throws_InconsistentStateException_and_changes_nothing()
    {
        var grainId = NewGrainId();
        var state = new GrainState<ContractState>(new ContractState { Text = "v1" });
        await Storage.WriteStateAsync(StateName, grainId, state);
        var staleEtag = state.ETag;
        state.State!.Text = "v2";
        await Storage.WriteStateAsync(StateName, grainId, state);
        var currentEtag = state.ETag;

        var stale = new GrainState<ContractState>(new ContractState { Text = "stale" }, staleEtag) { RecordExists = true };
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grainId, stale));

        if (ConflictsNameTheEtags)
        {
            Assert.Equal(currentEtag, conflict.StoredEtag);
            Assert.Equal(staleEtag, conflict.CurrentEtag);
        }

        Assert.Equal(staleEtag, stale.ETag);
        var read = await ReadAsync(Storage, grainId);
        Assert.Equal("v2", read.State!.Text);
        Assert.Equal(currentEtag, read.ETag);
    }

    [Fact]
    public async Task Insert_over_an_existing_record_throws_InconsistentStateException()
    {
        var grainId = NewGrainId();
        var first = new GrainState<ContractState>(new ContractState { Text = "first" });
        await Storage.WriteStateAsync(StateName, grainId, first);

        var second = new GrainState<ContractState>(new ContractState { Text = "second" });
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grainId, second));

        if (ConflictsNameTheEtags)
        {
            Assert.Equal(first.ETag, conflict.StoredEtag);
            Assert.Null(conflict.CurrentEtag);
        }

        Assert.Null(second.ETag);
        Assert.Equal("first", (await ReadAsync(Storage, grainId)).State!.Text);
    }

    [Fact]
    public async Task Clear_resets_the_state_and_a_later_read_finds_no_record()
    {
        var grainId = NewGrainId();
        var state = new GrainState<ContractState>(new ContractState { Text = "to clear", Number = 5 });
        await Storage.WriteStateAsync(StateName, grainId, state);

        await Storage.ClearStateAsync(StateName, grainId, state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(string.Empty, state.State!.Text);
        Assert.Equal(0, state.State!.Number);
        await CloseStorageAsync(Storage);
        var read = await ReadAsync(await OpenTrackedAsync(), grainId);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
    }

    [Fact]
    public async Task Clear_with_a_stale_etag_throws_and_keeps_the_record()
    {
        var grainId = NewGrainId();
        var state = new GrainState<ContractState>(new ContractState { Text = "v1" });
        await Storage.WriteStateAsync(StateName, grainId, state);
        var staleEtag = state.ETag;
        await Storage.WriteStateAsync(StateName, grainId, state);

        var stale = new GrainState<ContractState>(new ContractState(), staleEtag) { RecordExists = true };
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, grainId, stale));

        if (ConflictsNameTheEtags)
        {
            Assert.Equal(state.ETag, conflict.StoredEtag);
        }

        Assert.Equal(staleEtag, stale.ETag);
        var read = await ReadAsync(Storage, grainId);
        Assert.True(read.RecordExists);
        Assert.Equal("v1", read.State!.Text);
    }

    [Fact]
    public async Task A_cleared_record_can_be_written_again_from_no_etag()
    {
        var grainId = NewGrainId();
        var state = new GrainState<ContractState>(new ContractState { Text = "before" });
        await Storage.WriteStateAsync(StateName, grainId, state);
        await Storage.ClearStateAsync(StateName, grainId, state);

        state.State!.Text = "after";
        await Storage.WriteStateAsync(StateName, grainId, state);

        Assert.NotNull(state.ETag);
        var read = await ReadAsync(Storage, grainId);
        Assert.Equal("after", read.State!.Text);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task State_names_of_one_grain_are_stored_apart()
    {
        var grainId = NewGrainId();
        await Storage.WriteStateAsync("first", grainId, new GrainState<ContractState>(new ContractState { Text = "one" }));
        await Storage.WriteStateAsync("second", grainId, new GrainState<ContractState>(new ContractState { Text = "two" }));

        var first = new GrainState<ContractState>(new ContractState());
        var second = new GrainState<ContractState>(new ContractState());
        await Storage.ReadStateAsync("first", grainId, first);
        await Storage.ReadStateAsync("second", grainId, second);

        Assert.Equal("one", first.State!.Text);
        Assert.Equal("two", second.State!.Text);
    }

    [Fact]
    public async Task A_one_megabyte_state_round_trips()
    {
        var grainId = NewGrainId();
        var data = new byte[1024 * 1024];
        new Random(1234).NextBytes(data);
        var state = new GrainState<ContractState>(new ContractState { Text = "large", Data = data });

        await Storage.WriteStateAsync(StateName, grainId, state);
        await CloseStorageAsync(Storage);
        var read = await ReadAsync(await OpenTrackedAsync(), grainId);

        Assert.Equal("large", read.State!.Text);
        Assert.Equal(data.Length, read.State!.Data.Length);
        Assert.True(data.AsSpan().SequenceEqual(read.State!.Data));
    }

    [Fact]
    public async Task Two_hundred_concurrent_writers_to_different_grains_all_succeed()
    {
        var grains = Enumerable.Range(0, 200).Select(i => (Id: NewGrainId(), Number: i)).ToArray();

        var states = await Task.WhenAll(grains.Select(grain => Task.Run(async () =>
        {
            var state = new GrainState<ContractState>(new ContractState { Number = grain.Number, Data = new byte[2048] });
            await Storage.WriteStateAsync(StateName, grain.Id, state);
            state.State!.Text = "second write";
            await Storage.WriteStateAsync(StateName, grain.Id, state);
            return state;
        })));

        Assert.All(states, state => Assert.True(state.RecordExists));
        foreach (var (id, number) in grains)
        {
            var read = await ReadAsync(Storage, id);
            Assert.Equal(number, read.State!.Number);
            Assert.Equal("second write", read.State!.Text);
        }
    }

    [Fact]
    public async Task Concurrent_writers_to_one_grain_with_the_same_etag_have_exactly_one_winner()
    {
        var grainId = NewGrainId();
        var initial = new GrainState<ContractState>(new ContractState { Number = -1 });
        await Storage.WriteStateAsync(StateName, grainId, initial);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            var state = new GrainState<ContractState>(new ContractState { Number = i }, initial.ETag) { RecordExists = true };
            try
            {
                await Storage.WriteStateAsync(StateName, grainId, state);
                return (Number: i, Won: true);
            }
            catch (InconsistentStateException)
            {
                return (Number: i, Won: false);
            }
        })));

        var winner = Assert.Single(attempts, attempt => attempt.Won);
        Assert.Equal(31, attempts.Count(attempt => !attempt.Won));
        Assert.Equal(winner.Number, (await ReadAsync(Storage, grainId)).State!.Number);
    }

    protected static GrainId NewGrainId() => GrainId.Create("contract", Guid.NewGuid().ToString("N"));

    protected async Task<IGrainStorage> OpenTrackedAsync()
    {
        var storage = await OpenStorageAsync();
        _opened.Add(storage);
        return storage;
    }

    private static async Task<GrainState<ContractState>> ReadAsync(IGrainStorage storage, GrainId grainId)
    {
        var state = new GrainState<ContractState>(new ContractState());
        await storage.ReadStateAsync(StateName, grainId, state);
        return state;
    }
}
