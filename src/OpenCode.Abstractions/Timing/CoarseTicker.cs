using System.Collections.Concurrent;

namespace OpenCode.Abstractions;

/// <summary>
/// One timer for the deadlines of waits that are many, long and need no precision: reads of a conversation's events
/// that wait for the next one. A timer per wait costs two operations on the process's timer queues per event
/// relayed, and with hundreds of streams the queues' locks were the most contended of the gateway. The timer starts
/// with the first registration and ticks every <see cref="Resolution"/>.
/// </summary>
public static class CoarseTicker
{
    /// <summary>How late a deadline may be noticed.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(100);

    private static readonly ConcurrentDictionary<ICoarseTimed, byte> Registered = new(ReferenceEqualityComparer.Instance);
    // Created with the other fields, at the first registration; rooted by this field for the process's life.
    private static readonly Timer Timer = new(static _ => Tick(), null, Resolution, Resolution);
    private static int _ticking;

    public static void Register(ICoarseTimed item) => Registered.TryAdd(item, 0);

    public static void Unregister(ICoarseTimed item) => Registered.TryRemove(item, out _);

    /// <summary>A timestamp <paramref name="delay"/> after <paramref name="timestamp"/>, comparable with what <see cref="ICoarseTimed.OnTick"/> gets.</summary>
    public static long After(long timestamp, TimeSpan delay) =>
        delay >= TimeSpan.FromDays(365) ? long.MaxValue : timestamp + (long)(delay.TotalSeconds * TimeProvider.System.TimestampFrequency);

    private static void Tick()
    {
        // A tick that overran its period is not run twice at once.
        if (Interlocked.Exchange(ref _ticking, 1) != 0)
        {
            return;
        }

        try
        {
            var now = TimeProvider.System.GetTimestamp();
            foreach (var (item, _) in Registered)
            {
                item.OnTick(now);
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }
}
