using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tools.Workspace;

/// <summary>
/// The built-in MCP server <c>workspace</c>: file tools on the workspace root and, when enabled,
/// <c>run_command</c>. Built with the MCP SDK's server API and hosted in the silo, it is an operator-defined
/// server like any other (agents reference it as <c>{"name": "workspace"}</c> and see <c>workspace_read_file</c>
/// etc.), reached through the same connection grain, over an in-process transport instead of a process or socket.
/// </summary>
public sealed class WorkspaceServer(WorkspaceOptions options, ILoggerFactory loggerFactory)
{
    public const string Name = "workspace";

    /// <summary>The operator entry's transport; agents cannot declare it themselves.</summary>
    public const string TransportName = "in-process";

    /// <summary>The tool that asks for approval unless an agent's permissions name it exactly.</summary>
    public static readonly string RunCommandTool = McpToolNames.Qualify(Name, "run_command");

    /// <summary>The server as an operator-defined MCP server entry; null when no workspace root is configured.</summary>
    public static McpServerConfig? OperatorEntry(WorkspaceOptions options) => options.Enabled
        ? new McpServerConfig
        {
            Name = Name,
            Transport = TransportName,
            // A command is killed by its own timeout; the call allows a little more to report it.
            TimeoutSeconds = options.CodeExecution.Enabled
                ? options.CodeExecution.MaxTimeoutSeconds + 30
                : McpServerSpec.DefaultCallTimeoutSeconds,
        }
        : null;

    /// <summary>A transport to a new session of this server, for a spec with <see cref="McpTransport.InProcess"/>.</summary>
    /// <exception cref="InvalidOperationException">The spec names no in-process server this silo runs.</exception>
    public IClientTransport CreateTransport(McpServerSpec spec)
    {
        if (!options.Enabled || spec.Name != Name)
        {
            throw new InvalidOperationException($"this silo runs no in-process MCP server named '{spec.Name}'");
        }

        return new InProcessClientTransport(Name, CreateServerOptions, loggerFactory);
    }

    // Per session, so a root that went missing is reported when the session is (re)built.
    private McpServerOptions CreateServerOptions()
    {
        var root = new WorkspaceRoot(options.Root!);
        var files = new WorkspaceFileTools(root, options);
        McpServerPrimitiveCollection<McpServerTool> tools =
        [
            McpServerTool.Create(files.ReadFileAsync),
            McpServerTool.Create(files.ListDirectory),
            McpServerTool.Create(files.SearchFiles),
            McpServerTool.Create(files.WriteFileAsync),
        ];
        if (options.CodeExecution.Enabled)
        {
            var commands = new RunCommandTool(root, options.CodeExecution, loggerFactory.CreateLogger<RunCommandTool>());
            tools.Add(McpServerTool.Create(commands.RunAsync));
        }

        return new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "opencode-workspace", Version = "1.0.0" },
            ServerInstructions = "Tools on one directory tree, the workspace. Paths are relative to its root; nothing outside it can be reached.",
            ToolCollection = tools,
            Filters = new McpServerFilters { Request = new McpRequestFilters { CallToolFilters = [MissingArguments.Filter] } },
        };
    }
}
