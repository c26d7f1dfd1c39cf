namespace OpenCode.Abstractions;

/// <summary>
/// A deadline for one call at a time, noticed by <see cref="CoarseTicker"/>: <see cref="Token"/> (linked to the
/// owner's token) is cancelled once a started deadline has passed, and stays cancelled; a spent deadline is replaced.
/// Starting and stopping cost two writes, where a timer per call costs a lock shared by the whole process.
/// </summary>
public sealed class CoarseDeadline : ICoarseTimed, IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private long _due = long.MaxValue;

    public CoarseDeadline(CancellationToken cancellationToken)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CoarseTicker.Register(this);
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>Whether <see cref="Token"/> was cancelled (by the deadline or by the owner's token).</summary>
    public bool IsSpent => _cancel.IsCancellationRequested;

    public void Start(TimeSpan timeout) => Volatile.Write(ref _due, CoarseTicker.After(TimeProvider.System.GetTimestamp(), timeout));

    public void Stop() => Volatile.Write(ref _due, long.MaxValue);

    public void OnTick(long timestamp)
    {
        if (timestamp < Volatile.Read(ref _due) || Interlocked.Exchange(ref _due, long.MaxValue) == long.MaxValue)
        {
            return;
        }

        try
        {
            // Off the ticker's thread: what waits on the token goes on from here.
            _ = _cancel.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // Disposed while this tick ran: nothing waits any more.
        }
    }

    public void Dispose()
    {
        CoarseTicker.Unregister(this);
        _cancel.Dispose();
    }
}
