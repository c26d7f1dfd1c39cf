using OpenCode.Abstractions;
using OpenCode.Runtime.Tests.Conversations;

namespace OpenCode.Runtime.Tests.Limits;

/// <summary>A user's slots for concurrent turns: per user, idempotent per turn, freed by release or by their lease running out.</summary>
[Collection(RuntimeClusterCollection.Name)]
public sealed class RunningTurnsGrainTests(RuntimeCluster runtime)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Each_user_has_slots_of_their_own()
    {
        var tenant = LimitedRuntimeCluster.NewTenant();
        var alice = Turns(tenant, "alice");
        var bob = Turns(tenant, "bob");

        Assert.True(await alice.TryAcquireAsync("turn-1", 1, Lease));
        Assert.False(await alice.TryAcquireAsync("turn-2", 1, Lease));
        Assert.True(await bob.TryAcquireAsync("turn-3", 1, Lease));
        Assert.True(await Turns(LimitedRuntimeCluster.NewTenant(), "alice").TryAcquireAsync("turn-4", 1, Lease));
    }

    [Fact]
    public async Task Acquiring_again_for_the_same_turn_keeps_its_one_slot()
    {
        var turns = Turns(LimitedRuntimeCluster.NewTenant(), "alice");

        Assert.True(await turns.TryAcquireAsync("turn-1", 2, Lease));
        Assert.True(await turns.TryAcquireAsync("turn-1", 2, Lease));
        Assert.True(await turns.TryAcquireAsync("turn-2", 2, Lease));
        Assert.False(await turns.TryAcquireAsync("turn-3", 2, Lease));
    }

    [Fact]
    public async Task A_released_slot_is_free_again()
    {
        var turns = Turns(LimitedRuntimeCluster.NewTenant(), "alice");
        Assert.True(await turns.TryAcquireAsync("turn-1", 1, Lease));

        await turns.ReleaseAsync("turn-1");

        Assert.True(await turns.TryAcquireAsync("turn-2", 1, Lease));
    }

    [Fact]
    public async Task A_slot_whose_lease_ran_out_is_free_again()
    {
        var turns = Turns(LimitedRuntimeCluster.NewTenant(), "alice");
        Assert.True(await turns.TryAcquireAsync("lost-turn", 1, TimeSpan.FromMilliseconds(200)));
        Assert.False(await turns.TryAcquireAsync("turn-2", 1, Lease));

        await Task.Delay(TimeSpan.FromMilliseconds(400));

        Assert.True(await turns.TryAcquireAsync("turn-2", 1, Lease));
    }

    [Fact]
    public async Task A_resumed_turn_holds_its_slot_whatever_the_count()
    {
        var turns = Turns(LimitedRuntimeCluster.NewTenant(), "alice");
        Assert.True(await turns.TryAcquireAsync("turn-1", 1, Lease));

        await turns.RenewAsync("resumed-turn", Lease);
        await turns.ReleaseAsync("turn-1");

        Assert.False(await turns.TryAcquireAsync("turn-2", 1, Lease));
    }

    private IRunningTurnsGrain Turns(string tenant, string user) => runtime.Grains.GetGrain<IRunningTurnsGrain>(GrainKeys.RunningTurns(tenant, user));
}
