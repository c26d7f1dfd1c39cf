using Microsoft.Extensions.Configuration;
using OpenCode.Abstractions;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// MCP servers the operator declared in the gateway configuration (<c>Mcp:Servers:&lt;name&gt;</c> and the
/// requirements' <c>MCP_SERVERS=name:url,name:url</c>); agent configs refer to them by name alone.
/// </summary>
public sealed class OperatorMcpServers
{
    private readonly Dictionary<string, McpServerConfig> _servers = new(StringComparer.Ordinal);

    public OperatorMcpServers(IConfiguration configuration)
    {
        foreach (var section in configuration.GetSection("Mcp:Servers").GetChildren())
        {
            var server = section.Get<McpServerConfig>() ?? new McpServerConfig();
            _servers[section.Key] = server with { Name = section.Key };
        }

        foreach (var entry in (configuration["MCP_SERVERS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.IndexOf(':');
            if (colon > 0)
            {
                var name = entry[..colon];
                _servers[name] = new McpServerConfig { Name = name, Url = entry[(colon + 1)..] };
            }
        }

        // The built-in workspace server, when a root is configured, is the server named 'workspace'.
        if (WorkspaceServer.OperatorEntry(WorkspaceOptions.From(configuration)) is { } workspace)
        {
            _servers[workspace.Name] = workspace;
        }
    }

    /// <summary>Every operator-defined server, by name.</summary>
    public IEnumerable<McpServerConfig> All => _servers.Values.OrderBy(s => s.Name, StringComparer.Ordinal);

    public bool Contains(string name) => _servers.ContainsKey(name);

    public McpServerConfig? Find(string name) => _servers.GetValueOrDefault(name);
}
