namespace OpenCode.Abstractions;

/// <summary>
/// The turns one user runs at a time, across the cluster (<c>Limits:MaxConcurrentTurnsPerUser</c>). Key:
/// <c>{tenant}/{user}</c>. Each turn holds its slot by turn id until it is released or its lease runs out, so a
/// release lost with a silo cannot keep a slot forever. Kept in memory only: lost with its silo, the count starts
/// again from zero, which only errs toward admitting.
/// </summary>
[Alias("OpenCode.IRunningTurnsGrain")]
public interface IRunningTurnsGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes a slot for the turn when fewer than <paramref name="limit"/> are held. True when the turn holds a slot,
    /// also when it held one already (its lease then starts again).
    /// </summary>
    [Alias("TryAcquire")]
    Task<bool> TryAcquireAsync(string turnId, int limit, TimeSpan lease);

    /// <summary>Holds a slot for a turn admitted before (one that resumes after a pause or a restart), whatever the count.</summary>
    [Alias("Renew")]
    Task RenewAsync(string turnId, TimeSpan lease);

    [Alias("Release")]
    Task ReleaseAsync(string turnId);
}
