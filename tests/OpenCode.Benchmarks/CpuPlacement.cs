using System.Diagnostics;

namespace OpenCode.Benchmarks;

/// <summary>Moves every thread of a running process onto the given CPUs (threads it starts later inherit them).</summary>
public static class CpuPlacement
{
    public static async Task PinAsync(int processId, string cpus)
    {
        using var taskset = Process.Start(new ProcessStartInfo("taskset", ["-a", "-p", "-c", cpus, processId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
        })!;
        await taskset.WaitForExitAsync();
        if (taskset.ExitCode != 0)
        {
            throw new InvalidOperationException($"taskset could not pin process {processId} to CPUs {cpus}.");
        }
    }
}
