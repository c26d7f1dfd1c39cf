using System.Diagnostics;

namespace OpenCode.Benchmarks;

/// <summary>The load phases of every benchmark mode: one client, many paced (open loop), or many as fast as they go.</summary>
public static class LoadPhases
{
    public static async Task<PhaseResult> SequentialAsync(Func<Task<TurnResult>> turn, int count)
    {
        var latencies = new LatencyRecorder();
        var errors = 0;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var result = await turn();
            errors += result.Ok ? 0 : 1;
            latencies.Add(result.Elapsed);
        }

        return new PhaseResult(latencies, errors, count / total.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// <paramref name="count"/> calls of each path, one at a time, taking turns: a disturbance on a shared machine hits
    /// every path alike, so their differences hold. Throughput is each path's calls over its own time.
    /// </summary>
    public static async Task<PhaseResult[]> InterleavedAsync(IReadOnlyList<Func<Task<TurnResult>>> paths, int count)
    {
        var latencies = paths.Select(_ => new LatencyRecorder()).ToArray();
        var errors = new int[paths.Count];
        var busy = new TimeSpan[paths.Count];
        for (var i = 0; i < count * paths.Count; i++)
        {
            var which = i % paths.Count;
            var result = await paths[which]();
            errors[which] += result.Ok ? 0 : 1;
            busy[which] += result.Elapsed;
            latencies[which].Add(result.Elapsed);
        }

        return [.. paths.Select((_, i) => new PhaseResult(latencies[i], errors[i], count / busy[i].TotalSeconds))];
    }

    public static async Task<PhaseResult> ConcurrentAsync(Func<Task<TurnResult>> turn, int clients, int seconds)
    {
        var latencies = new LatencyRecorder();
        var errors = 0;
        var deadline = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (deadline.Elapsed.TotalSeconds < seconds)
            {
                var result = await turn();
                if (!result.Ok)
                {
                    Interlocked.Increment(ref errors);
                }

                latencies.Add(result.Elapsed);
            }
        }));
        return new PhaseResult(latencies, errors, latencies.Count / deadline.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Open loop: each client sends on its own schedule (together they offer <paramref name="rate"/> turns/s) whether or not the
    /// system keeps up; a client behind schedule sends at once, so a stall shows in the following latencies too.
    /// </summary>
    public static async Task<PhaseResult> PacedAsync(Func<Task<TurnResult>> turn, int clients, int rate, int seconds)
    {
        var latencies = new LatencyRecorder();
        var errors = 0;
        var clock = Stopwatch.StartNew();
        var interval = TimeSpan.FromSeconds((double)clients / rate);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            // Clients start spread over one interval so the offered load is even.
            var next = interval * client / clients;
            while (next.TotalSeconds < seconds)
            {
                if (next > clock.Elapsed)
                {
                    await Task.Delay(next - clock.Elapsed);
                }

                var result = await turn();
                if (!result.Ok)
                {
                    Interlocked.Increment(ref errors);
                }

                latencies.Add(result.Elapsed);
                next += interval;
            }
        }));
        return new PhaseResult(latencies, errors, latencies.Count / clock.Elapsed.TotalSeconds);
    }

    /// <summary>Runs <paramref name="turn"/> for <paramref name="seconds"/>, one at a time, so the JIT settles and pools fill.</summary>
    public static async Task WarmUpAsync(Func<Task<TurnResult>> turn, int seconds)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            await turn();
        }
    }
}
