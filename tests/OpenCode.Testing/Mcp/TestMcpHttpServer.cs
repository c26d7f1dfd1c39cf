using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

namespace OpenCode.Testing;

/// <summary>
/// The test MCP server on a loopback socket, serving Streamable HTTP (<see cref="StreamableHttpUrl"/>), the legacy
/// HTTP+SSE transport (<see cref="SseUrl"/>) and WebSocket (<see cref="WebSocketUrl"/>), optionally behind
/// <see cref="TestMcpServerAuth"/>.
/// </summary>
public sealed class TestMcpHttpServer : IAsyncDisposable
{
    private const string Path = "/mcp";
    private const string WebSocketPath = "/ws";
    private const string WebSocketSubProtocol = "mcp";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _authorizations = new();
    private int _rejected;

    private TestMcpHttpServer(WebApplication app)
    {
        _app = app;
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

    public static async Task<TestMcpHttpServer> StartAsync(int port = 0, TestMcpServerAuth? auth = null, CancellationToken ct = default)
    {
        var builder = LoopbackHost.CreateBuilder(port);
        builder.Services.AddMcpServer(TestMcpServerInfo.Configure)
            .WithHttpTransport(http =>
            {
                // SDK 2.4 defaults to stateless, which disables the legacy SSE endpoints. This mode keeps
                // sessionless Streamable HTTP for current clients and gives initialize-handshake and SSE
                // clients the in-memory sessions they need.
                http.SessionMode = HttpServerSessionMode.StatefulForInitializeClients;
#pragma warning disable MCP9004 // Legacy SSE is obsolete; the gateway still supports "sse" servers, so tests need one.
                http.EnableLegacySse = true;
#pragma warning restore MCP9004
            })
            .WithTools<TestTools>();

        var app = builder.Build();
        var server = new TestMcpHttpServer(app);
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
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

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
