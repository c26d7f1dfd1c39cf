using OpenCode.Abstractions;

namespace OpenCode.Runtime.Limits;

/// <summary>
/// The turns one user runs now (see <see cref="IRunningTurnsGrain"/>): turn ids with the time their lease ends, in
/// memory. While it holds slots the grain stays active, so an idle collection does not forget them.
/// </summary>
public sealed class RunningTurnsGrain(TimeProvider clock) : Grain, IRunningTurnsGrain
{
    private readonly Dictionary<string, DateTimeOffset> _leases = [];

    public Task<bool> TryAcquireAsync(string turnId, int limit, TimeSpan lease)
    {
        DropExpired();
        if (!_leases.ContainsKey(turnId) && _leases.Count >= limit)
        {
            return Task.FromResult(false);
        }

        Hold(turnId, lease);
        return Task.FromResult(true);
    }

    public Task RenewAsync(string turnId, TimeSpan lease)
    {
        DropExpired();
        Hold(turnId, lease);
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(string turnId)
    {
        _leases.Remove(turnId);
        return Task.CompletedTask;
    }

    private void Hold(string turnId, TimeSpan lease)
    {
        _leases[turnId] = clock.GetUtcNow() + lease;
        DelayDeactivation(lease);
    }

    private void DropExpired()
    {
        var now = clock.GetUtcNow();
        foreach (var (turnId, _) in _leases.Where(l => l.Value <= now).ToList())
        {
            _leases.Remove(turnId);
        }
    }
}
