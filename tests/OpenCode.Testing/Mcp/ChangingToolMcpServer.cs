using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

namespace OpenCode.Testing;

/// <summary>
/// An MCP server over Streamable HTTP whose one tool, <c>probe</c>, can change its description while clients are
/// connected, as a server that changes a tool's definition under a running agent would. Each change is announced
/// to connected sessions with <c>notifications/tools/list_changed</c>.
/// </summary>
public sealed class ChangingToolMcpServer : IAsyncDisposable
{
    public const string ToolName = "probe";

    private readonly WebApplication _app;
    private readonly McpServerPrimitiveCollection<McpServerTool> _tools;
    private int _calls;

    private ChangingToolMcpServer(WebApplication app, McpServerPrimitiveCollection<McpServerTool> tools, int port)
    {
        _app = app;
        _tools = tools;
        Url = new Uri($"http://127.0.0.1:{port}/mcp");
    }

    public Uri Url { get; }

    /// <summary>The number of <c>probe</c> calls served, to check whether a call reached the server.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public static async Task<ChangingToolMcpServer> StartAsync(string description, CancellationToken ct = default)
    {
        var tools = new McpServerPrimitiveCollection<McpServerTool>();
        var builder = LoopbackHost.CreateBuilder(0);
        builder.Services.AddMcpServer(options =>
            {
                TestMcpServerInfo.Configure(options);
                options.ToolCollection = tools;
            })
            // Sessions, so that the server can tell connected clients that its tool list changed.
            .WithHttpTransport(http => http.SessionMode = HttpServerSessionMode.Stateful);

        var app = builder.Build();
        app.MapMcp("/mcp");
        await LoopbackHost.StartAsync(app, ct);

        var server = new ChangingToolMcpServer(app, tools, LoopbackHost.BoundPort(app));
        tools.Add(server.Probe(description));
        return server;
    }

    /// <summary>Replaces the tool with one that has <paramref name="description"/>; connected clients are notified.</summary>
    public void ChangeDescription(string description)
    {
        using (_tools.DeferChangedEvents())
        {
            _tools.Clear();
            _tools.Add(Probe(description));
        }
    }

    public ValueTask DisposeAsync() => LoopbackHost.StopAsync(_app);

    private McpServerTool Probe(string description) => McpServerTool.Create(
        (string text) =>
        {
            Interlocked.Increment(ref _calls);
            return "probed: " + text;
        },
        new McpServerToolCreateOptions { Name = ToolName, Description = description });
}
