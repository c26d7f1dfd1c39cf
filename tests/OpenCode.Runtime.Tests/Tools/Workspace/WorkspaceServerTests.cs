using OpenCode.Runtime.Mcp.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCode.Abstractions;
using OpenCode.Runtime.Agents;
using OpenCode.Runtime.Mcp;
using OpenCode.Runtime.Tools;
using OpenCode.Runtime.Tools.Workspace;
using OpenCode.Runtime.Security;
using OpenCode.Runtime.Tests.Security;

namespace OpenCode.Runtime.Tests.Tools.Workspace;

/// <summary>How the workspace server is configured, and that it is reached like any MCP server.</summary>
public sealed class WorkspaceServerTests : IDisposable
{
    private static readonly ConfiguredSecrets NoSecrets = new(new ConfigurationBuilder().Build());
    private static readonly ConnectionGuard Guard = new(TestEndpointPolicies.Create());

    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void Without_a_root_the_server_is_off_and_no_operator_server_is_named_workspace()
    {
        var configuration = Configuration(new() { ["Tools:Workspace:CodeExecution:Enabled"] = "true" });

        Assert.False(WorkspaceOptions.From(configuration).Enabled);
        Assert.False(new OperatorMcpServers(configuration).Contains(WorkspaceServer.Name));
    }

    [Fact]
    public void OPENCODE_WORKSPACE_makes_workspace_an_operator_server_that_resolves_to_the_in_process_transport()
    {
        var configuration = Configuration(new() { [WorkspaceOptions.RootVariable] = _workspace.Root });
        var resolver = new McpServerResolver(new OperatorMcpServers(configuration), TestEndpointPolicies.Create());

        var (spec, error) = resolver.Resolve(new McpServerConfig { Name = "workspace" });

        Assert.Null(error);
        Assert.Equal(TempWorkspace.Spec, spec);
        Assert.Equal(McpServerSpec.DefaultCallTimeoutSeconds, spec!.CallTimeoutSeconds);
    }

    [Fact]
    public void The_configuration_section_sets_the_root_and_limits_and_OPENCODE_WORKSPACE_wins()
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(_workspace.Base, "elsewhere")).FullName;
        var section = Configuration(new()
        {
            ["Tools:Workspace:Root"] = _workspace.Root,
            ["Tools:Workspace:MaxReadBytes"] = "10",
            ["Tools:Workspace:CodeExecution:Enabled"] = "true",
            ["Tools:Workspace:CodeExecution:MaxTimeoutSeconds"] = "100",
        });
        var both = Configuration(new() { ["Tools:Workspace:Root"] = _workspace.Root, [WorkspaceOptions.RootVariable] = elsewhere });

        var options = WorkspaceOptions.From(section);

        Assert.Equal((_workspace.Root, 10, true, 100), (options.Root, options.MaxReadBytes, options.CodeExecution.Enabled, options.CodeExecution.MaxTimeoutSeconds));
        Assert.Equal(130, WorkspaceServer.OperatorEntry(options)!.TimeoutSeconds);
        Assert.Equal(elsewhere, WorkspaceOptions.From(both).Root);
    }

    [Fact]
    public void A_root_that_is_not_a_directory_or_a_limit_out_of_range_stops_start_up()
    {
        var missing = Path.Combine(_workspace.Base, "missing");

        var noRoot = Assert.Throws<InvalidOperationException>(() => WorkspaceOptions.From(Configuration(new() { [WorkspaceOptions.RootVariable] = missing })));
        var badTimeout = Assert.Throws<InvalidOperationException>(() => WorkspaceOptions.From(Configuration(new()
        {
            [WorkspaceOptions.RootVariable] = _workspace.Root,
            ["Tools:Workspace:CodeExecution:MaxTimeoutSeconds"] = "100000",
        })));

        Assert.Equal($"The workspace root '{missing}' (OPENCODE_WORKSPACE or Tools:Workspace:Root) is not an existing directory.", noRoot.Message);
        Assert.Contains("MaxTimeoutSeconds must be between 1 and 570", badTimeout.Message);
    }

    [Fact]
    public async Task The_connection_the_grain_holds_lists_qualified_tools_and_calls_them_over_the_in_process_transport()
    {
        _workspace.Write("readme.md", "hello workspace");
        await using var connection = new McpServerConnection(TempWorkspace.Spec, NoSecrets, new McpSupervisionOptions(), NullLoggerFactory.Instance, _workspace.Server(), Guard);

        var tools = await connection.ListToolsAsync(CancellationToken.None);
        var read = await connection.CallToolAsync("read_file", """{"path":"readme.md"}""", CancellationToken.None);
        var escape = await connection.CallToolAsync("read_file", """{"path":"../outside/secret.txt"}""", CancellationToken.None);

        Assert.Equal(["workspace_list_directory", "workspace_read_file", "workspace_search_files", "workspace_write_file"], tools.Select(t => t.QualifiedName).Order());
        Assert.Equal(McpToolResult.Success("hello workspace"), read);
        Assert.True(escape.IsError);
        Assert.Contains("is outside the workspace", escape.Text);
    }

    [Fact]
    public async Task A_workspace_spec_on_a_silo_without_the_workspace_is_an_unavailable_server()
    {
        var off = new WorkspaceServer(new WorkspaceOptions(), NullLoggerFactory.Instance);
        await using var connection = new McpServerConnection(TempWorkspace.Spec, NoSecrets, new McpSupervisionOptions(), NullLoggerFactory.Instance, off, Guard);

        var listing = await Assert.ThrowsAsync<McpServerUnavailableException>(() => connection.ListToolsAsync(CancellationToken.None));

        Assert.Contains("this silo runs no in-process MCP server named 'workspace'", listing.Message);
    }

    [Fact]
    public void Agents_cannot_declare_the_in_process_transport_themselves()
    {
        var validator = new AgentConfigValidator(new OperatorMcpServers(Configuration([])), TestEndpointPolicies.Create());
        var config = new AgentConfig
        {
            Name = "a",
            Model = new ModelConfig { Provider = "openai", Name = "m" },
            Mcp = new McpConfig { Servers = [new McpServerConfig { Name = "mine", Url = "http://127.0.0.1:1/mcp", Transport = WorkspaceServer.TransportName }] },
        };

        var errors = validator.Validate(config);

        Assert.Contains(errors, e => e.Field == "mcp.servers[0].transport");
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
