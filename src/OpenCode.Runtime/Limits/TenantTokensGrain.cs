using OpenCode.Abstractions;
using Orleans.Concurrency;

namespace OpenCode.Runtime.Limits;

/// <summary>
/// A tenant's tokens of one day (see <see cref="ITenantTokensGrain"/>). Every model step of the tenant adds to it, so
/// it does not write on every add: a total that reaches the budget is written at once, one below it a few seconds
/// later (and when the grain deactivates). A crashed silo can lose those few seconds of accounting, never the fact
/// that the budget is spent.
/// </summary>
public sealed class TenantTokensGrain(
    [PersistentState("tenantTokens", OpenCodeStorage.Name)] IPersistentState<TenantTokensState> state) : Grain, ITenantTokensGrain
{
    private static readonly TimeSpan WriteDelay = TimeSpan.FromSeconds(5);

    private IGrainTimer? _writeTimer;
    private bool _unwritten;

    [ReadOnly]
    public Task<long> GetSpentAsync() => Task.FromResult(state.State.Spent);

    public async Task<long> AddAsync(long tokens, long budget)
    {
        var before = state.State.Spent;
        state.State.Spent += tokens;
        _unwritten = true;
        if (before < budget && state.State.Spent >= budget)
        {
            await WriteAsync();
        }
        else
        {
            _writeTimer ??= this.RegisterGrainTimer(WriteAsync, new GrainTimerCreationOptions(WriteDelay, Timeout.InfiniteTimeSpan));
        }

        return state.State.Spent;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unwritten)
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    private async Task WriteAsync()
    {
        _writeTimer?.Dispose();
        _writeTimer = null;
        _unwritten = false;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The next add (or the deactivation) tries again.
            _unwritten = true;
            throw;
        }
    }
}
