using System.Diagnostics;
using System.Text;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>Finds the stdio server processes a test started, by the marker variable in their environment (Linux /proc).</summary>
internal static class ServerProcesses
{
    public static IReadOnlyList<int> WithMarker(string marker)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Finding server processes by their environment needs /proc.");
        }

        var needle = Encoding.UTF8.GetBytes($"{McpTestServers.MarkerVariable}={marker}\0");
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var environment = File.ReadAllBytes(Path.Combine(directory, "environ"));
                if (environment.AsSpan().IndexOf(needle) >= 0 && !IsZombie(directory))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone, or not ours.
            }
        }

        return found;
    }

    /// <summary>The one live process with <paramref name="marker"/>, waiting a little for it to appear.</summary>
    public static async Task<int> SingleWithMarkerAsync(string marker)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var pids = WithMarker(marker);
            if (pids.Count == 1 || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                return Assert.Single(pids);
            }

            await Task.Delay(50);
        }
    }

    public static async Task KillAsync(int pid)
    {
        using var process = Process.GetProcessById(pid);
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static bool IsZombie(string directory)
    {
        var stat = File.ReadAllText(Path.Combine(directory, "stat"));
        var state = stat.AsSpan(stat.LastIndexOf(')') + 2);
        return state.Length > 0 && state[0] is 'Z' or 'X';
    }
}
