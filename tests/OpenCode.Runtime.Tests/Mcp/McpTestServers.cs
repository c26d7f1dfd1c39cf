using OpenCode.Abstractions;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>Specs for the real MCP servers the tests talk to.</summary>
internal static class McpTestServers
{
    /// <summary>The variable that tags a stdio server process so a test can find (and kill) exactly its own.</summary>
    public const string MarkerVariable = "OPENCODE_MCP_TEST_MARKER";

    private static readonly Lazy<string> EverythingEntryPoint = new(FindEverythingEntryPoint);

    /// <summary>The entry point of @modelcontextprotocol/server-everything (<c>node it stdio|streamableHttp|sse</c>).</summary>
    public static string EverythingScript => EverythingEntryPoint.Value;

    /// <summary>
    /// <c>@modelcontextprotocol/server-everything</c> from tests/mcp-servers over stdio, tagged with a fresh
    /// marker (so each spec has its own key, grain and process).
    /// </summary>
    public static McpServerSpec Everything(string name = "everything", int callTimeoutSeconds = 30) =>
        McpServerSpec.Stdio(
            name, "node", [EverythingScript, "stdio"],
            new Dictionary<string, string> { [MarkerVariable] = NewMarker() }, callTimeoutSeconds);

    /// <summary>The project's own test MCP server (tools echo, add, fail, slow, env) over stdio.</summary>
    public static McpServerSpec TestStdio(string name = "test", int callTimeoutSeconds = 30, IReadOnlyDictionary<string, string>? env = null)
    {
        var variables = new Dictionary<string, string>(env ?? new Dictionary<string, string>()) { [MarkerVariable] = NewMarker() };
        return McpServerSpec.Stdio(name, TestMcpServerCommand.Command, TestMcpServerCommand.Args, variables, callTimeoutSeconds);
    }

    /// <summary><c>@modelcontextprotocol/server-filesystem</c> from tests/mcp-servers over stdio, allowed <paramref name="root"/> only.</summary>
    public static McpServerSpec Filesystem(string root) =>
        McpServerSpec.Stdio(
            "filesystem", "node", [Path.Combine(RepositoryPaths.NodeModules, "@modelcontextprotocol", "server-filesystem", "dist", "index.js"), root],
            new Dictionary<string, string> { [MarkerVariable] = NewMarker() });

    public static string MarkerOf(McpServerSpec spec) => spec.Env[MarkerVariable];

    /// <summary>An http URL on which nothing listens.</summary>
    public static string UnreachableUrl() => $"http://127.0.0.1:{LoopbackPort.Next()}/mcp";

    private static string NewMarker() => Guid.NewGuid().ToString("N");

    private static string FindEverythingEntryPoint()
    {
        var root = RepositoryRoot();
        var entryPoint = Path.Combine(root, "tests", "mcp-servers", "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");
        return File.Exists(entryPoint)
            ? entryPoint
            : throw new InvalidOperationException($"'{entryPoint}' is missing: run `npm ci` in {Path.Combine(root, "tests", "mcp-servers")}.");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OpenCode.Orleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above '{AppContext.BaseDirectory}' holds OpenCode.Orleans.sln.");
    }
}
