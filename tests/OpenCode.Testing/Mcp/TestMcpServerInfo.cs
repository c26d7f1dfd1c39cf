using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace OpenCode.Testing;

/// <summary>How the test MCP server introduces itself, whatever the transport.</summary>
internal static class TestMcpServerInfo
{
    public const string Name = "opencode-test-mcp";

    public static void Configure(McpServerOptions options) =>
        options.ServerInfo = new Implementation { Name = Name, Version = "1.0.0" };
}
