namespace OpenCode.Runtime.Tests.Privacy;

/// <summary>
/// Bytes a call allocates once the code is optimised: the first calls run unoptimised code, which allocates where the
/// optimised code keeps objects on the stack, and the runtime recompiles in the background once the process has
/// stopped compiling new code for a while (which other tests running alongside can put off for seconds).
/// </summary>
internal static class SteadyStateAllocations
{
    public static long PerCall(Action call)
    {
        var fewest = long.MaxValue;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (fewest > 0 && DateTime.UtcNow < deadline)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                call();
            }

            fewest = Math.Min(fewest, (GC.GetAllocatedBytesForCurrentThread() - before) / 100);
            Thread.Sleep(20);
        }

        return fewest;
    }
}
