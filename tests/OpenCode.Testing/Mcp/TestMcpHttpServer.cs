using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace OpenCode.Testing;

/// <summary>
/// The test MCP server on a loopback socket, serving Streamable HTTP (<see cref="StreamableHttpUrl"/>), the legacy
/// HTTP+SSE transport (<see cref="SseUrl"/>) and WebSocket (<see cref="WebSocketUrl"/>), optionally behind
/// <see cref="TestMcpServerAuth"/>. It counts the clients that connect, and tools can be added and removed while it runs
/// (<c>notifications/tools/list_changed</c> goes to every client that can hear it: see <see cref="StartAsync"/>).
/// </summary>
public sealed class TestMcpHttpServer : IAsyncDisposable
{
    private const string Path = "/mcp";
    private const string WebSocketPath = "/ws";
    private const string WebSocketSubProtocol = "mcp";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _authorizations = new();
    private readonly StrongBox<int> _handshakes;
    private readonly McpServerPrimitiveCollection<McpServerTool> _tools;
    private int _rejected;

    private TestMcpHttpServer(WebApplication app, StrongBox<int> handshakes, McpServerPrimitiveCollection<McpServerTool> tools)
    {
        _app = app;
        _handshakes = handshakes;
        _tools = tools;
    }

    /// <summary>The Streamable HTTP endpoint, e.g. <c>http://127.0.0.1:PORT/mcp</c>.</summary>
    public Uri StreamableHttpUrl { get; private set; } = null!;

    /// <summary>The legacy SSE endpoint (GET opens the stream; messages are POSTed to <c>/mcp/message</c>).</summary>
    public Uri SseUrl { get; private set; } = null!;

    /// <summary>The WebSocket endpoint, <c>ws://127.0.0.1:PORT/ws</c>: one MCP session per connection.</summary>
    public Uri WebSocketUrl { get; private set; } = null!;

    /// <summary>Every <c>Authorization</c> header value received, in order (to prove what a client did or did not send).</summary>
    public IReadOnlyCollection<string> ReceivedAuthorizations => _authorizations;

    /// <summary>How many requests were answered 401 for lack of the required credentials.</summary>
    public int RejectedRequests => Volatile.Read(ref _rejected);

    /// <summary>
    /// How many clients connected, over every transport: <c>initialize</c> requests (a session each) and <c>server/discover</c>
    /// requests (the sessionless 2026-07-28 revision's handshake).
    /// </summary>
    public int Handshakes => Volatile.Read(ref _handshakes.Value);

    /// <summary>Offers <paramref name="tool"/> from now on; every session that can hear it is told the tool list changed.</summary>
    public void AddTool(McpServerTool tool) => _tools.Add(tool);

    /// <summary>Stops offering a tool <see cref="AddTool"/> added; every session that can hear it is told the tool list changed.</summary>
    public bool RemoveTool(string name) => _tools.TryGetPrimitive(name, out var tool) && _tools.Remove(tool);

    /// <summary>Starts the server on <paramref name="port"/> (0: any free port).</summary>
    /// <param name="stateful">
    /// Streamable HTTP with sessions only: clients of the sessionless 2026-07-28 revision are refused and fall back to the
    /// <c>initialize</c> handshake, so they get a session and hear <c>list_changed</c>. By default such clients are served
    /// sessionless, and a sessionless server cannot send them anything unasked. WebSocket and SSE clients always have a session.
    /// </param>
    public static async Task<TestMcpHttpServer> StartAsync(int port = 0, TestMcpServerAuth? auth = null, bool stateful = false, CancellationToken ct = default)
    {
        var builder = LoopbackHost.CreateBuilder(port);
        var handshakes = new StrongBox<int>();
        // One tool collection for every session, sessionless requests included (each of those gets new options): the
        // SDK fills it with TestTools (skipping those it holds), and AddTool/RemoveTool change what all of them see.
        var tools = new McpServerPrimitiveCollection<McpServerTool>();
        builder.Services.Configure<McpServerOptions>(options => options.ToolCollection = tools);
        builder.Services.AddMcpServer(TestMcpServerInfo.Configure)
            .WithHttpTransport(http =>
            {
                // SDK 2.4 defaults to stateless, which disables the legacy SSE endpoints. This mode keeps
                // sessionless Streamable HTTP for current clients and gives initialize-handshake and SSE
                // clients the in-memory sessions they need.
                http.SessionMode = stateful ? HttpServerSessionMode.Stateful : HttpServerSessionMode.StatefulForInitializeClients;
#pragma warning disable MCP9004 // Legacy SSE is obsolete; the gateway still supports "sse" servers, so tests need one.
                http.EnableLegacySse = true;
#pragma warning restore MCP9004
            })
            .WithTools<TestTools>()
            .WithMessageFilters(filters => filters.AddIncomingFilter(next => (context, cancellationToken) =>
            {
                if (context.JsonRpcMessage is JsonRpcRequest { Method: RequestMethods.Initialize or RequestMethods.ServerDiscover })
                {
                    Interlocked.Increment(ref handshakes.Value);
                }

                return next(context, cancellationToken);
            }));

        var app = builder.Build();
        var server = new TestMcpHttpServer(app, handshakes, tools);
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization)
            {
                server._authorizations.Enqueue(authorization);
            }

            if (auth is not null && !auth.Allows(context.Request))
            {
                Interlocked.Increment(ref server._rejected);
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return;
            }

            await next(context);
        });
        app.UseWebSockets();
        app.MapMcp(Path);
        app.Map(WebSocketPath, ServeWebSocketAsync);
        await LoopbackHost.StartAsync(app, ct);

        var bound = LoopbackHost.BoundPort(app);
        server.StreamableHttpUrl = new Uri($"http://127.0.0.1:{bound}{Path}");
        server.SseUrl = new Uri($"http://127.0.0.1:{bound}{Path}/sse");
        server.WebSocketUrl = new Uri($"ws://127.0.0.1:{bound}{WebSocketPath}");
        return server;
    }

    public ValueTask DisposeAsync() => LoopbackHost.StopAsync(_app);

    // One McpServer per accepted socket, as the SDK's own HTTP transports run one per session.
    private static async Task ServeWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var services = context.RequestServices;
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var subProtocol = context.WebSockets.WebSocketRequestedProtocols.Contains(WebSocketSubProtocol) ? WebSocketSubProtocol : null;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(subProtocol);
        var transport = new WebSocketServerTransport(socket);
        var server = McpServer.Create(transport, services.GetRequiredService<IOptions<McpServerOptions>>().Value, null, services);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(stopping, context.RequestAborted);
        try
        {
            await server.RunAsync(ended.Token);
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The app is stopping or the client went away.
        }
        finally
        {
            // A stopping server says it is going away, as a real one would.
            await transport.CloseAsync(
                stopping.IsCancellationRequested ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.NormalClosure,
                stopping.IsCancellationRequested ? "server stopping" : "session ended");
            await server.DisposeAsync();
        }
    }
}
