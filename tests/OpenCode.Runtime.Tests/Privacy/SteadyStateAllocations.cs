namespace OpenCode.Runtime.Tests.Privacy;

/// <summary>
/// Bytes a call allocates once the code is optimised: the first calls run unoptimised code, which allocates where the
/// optimised code does not, and the runtime recompiles in the background at a time of its choosing.
/// </summary>
internal static class SteadyStateAllocations
{
    public static long PerCall(Action call)
    {
        var fewest = long.MaxValue;
        for (var window = 0; window < 200 && fewest > 0; window++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                call();
            }

            fewest = Math.Min(fewest, (GC.GetAllocatedBytesForCurrentThread() - before) / 100);
            Thread.Sleep(5);
        }

        return fewest;
    }
}
