namespace OpenCode.Testing;

/// <summary>
/// How a test launches the stdio test MCP server as a child process: run <see cref="Command"/>
/// with <see cref="Args"/>. OpenCode.Testing.dll is copied next to every assembly referencing this kit.
/// </summary>
public static class TestMcpServerCommand
{
    /// <summary>The dotnet host: the current one when this process runs under it (as test hosts do).</summary>
    public static string Command { get; } = DotnetHost.Path;

    /// <summary><c>[&lt;path&gt;/OpenCode.Testing.dll, "mcp-stdio"]</c>.</summary>
    public static IReadOnlyList<string> Args { get; } = [typeof(TestTools).Assembly.Location, "mcp-stdio"];
}
