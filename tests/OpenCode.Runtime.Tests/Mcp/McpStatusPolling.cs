using System.Diagnostics;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>Waits for what supervision does in the background, reading the connection grain's status or tool list.</summary>
internal static class McpStatusPolling
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls the status until <paramref name="condition"/> holds; every status seen goes to <paramref name="seen"/>.</summary>
    public static async Task<McpConnectionStatus> WaitForStatusAsync(
        this IMcpConnectionGrain grain, Func<McpConnectionStatus, bool> condition, TimeSpan timeout, List<McpConnectionStatus>? seen = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await grain.GetStatusAsync();
            seen?.Add(status);
            if (condition(status))
            {
                return status;
            }

            Assert.True(clock.Elapsed < timeout, $"after {timeout} the status is still {status}");
            await Task.Delay(Interval);
        }
    }

    /// <summary>Lists the tools until <paramref name="condition"/> holds (each listing may come from the session's cache).</summary>
    public static async Task<IReadOnlyList<McpToolInfo>> WaitForToolsAsync(
        this IMcpConnectionGrain grain, McpServerSpec spec, Func<IReadOnlyList<McpToolInfo>, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var tools = await grain.ListToolsAsync(spec);
            if (condition(tools))
            {
                return tools;
            }

            Assert.True(clock.Elapsed < timeout, $"after {timeout} the tools are still {string.Join(", ", tools.Select(t => t.Name))}");
            await Task.Delay(Interval);
        }
    }
}
