using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// The state of this silo's sessions to a list of MCP servers (an agent's entries, or the operator-defined servers),
/// read from each server's <see cref="IMcpConnectionGrain"/>. A stateless worker is placed on the calling silo, so
/// this is always the answering silo's own view; reading it never connects.
/// </summary>
public sealed class McpServerStatuses(McpServerResolver resolver, IGrainFactory grains)
{
    public async Task<IReadOnlyList<McpServerStatus>> ReadAsync(IEnumerable<McpServerConfig> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return await Task.WhenAll(entries.Select(ReadAsync));
    }

    private async Task<McpServerStatus> ReadAsync(McpServerConfig entry)
    {
        var (spec, error) = resolver.Resolve(entry);
        if (spec is null)
        {
            return new McpServerStatus(entry.Name, null, new McpConnectionStatus(McpConnectionState.Failed, LastError: error));
        }

        return new McpServerStatus(spec.Name, spec.Transport, await grains.GetGrain<IMcpConnectionGrain>(spec.Key).GetStatusAsync());
    }
}

/// <summary>One MCP server and this silo's session to it; <paramref name="Transport"/> is null when the entry cannot be resolved.</summary>
public sealed record McpServerStatus(string Name, McpTransport? Transport, McpConnectionStatus Connection);
