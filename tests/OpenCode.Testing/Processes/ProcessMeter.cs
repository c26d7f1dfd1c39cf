using System.Globalization;

namespace OpenCode.Testing;

/// <summary>CPU time and resident memory of another process, and the machine's load, read from /proc.</summary>
public sealed class ProcessMeter(int pid)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>User plus system CPU time the process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields after the command: state is [0], utime is [11], stime is [12].
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>Resident set size in MB: current, peak, and the current split into anonymous memory and mapped files.</summary>
    public (double Current, double Peak, double Anonymous, double Files) ResidentMegabytes()
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        double Read(string key) => status
            .Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024)
            .First();
        return (Read("VmRSS:"), Read("VmHWM:"), Read("RssAnon:"), Read("RssFile:") + Read("RssShmem:"));
    }

    /// <summary>The 1, 5 and 15 minute load averages, to judge how disturbed a run was.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
