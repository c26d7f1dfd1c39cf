using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.AspNetCore;

namespace OpenCode.Testing;

/// <summary>
/// The test MCP server on a loopback socket, serving both Streamable HTTP (<see cref="StreamableHttpUrl"/>)
/// and the legacy HTTP+SSE transport (<see cref="SseUrl"/>).
/// </summary>
public sealed class TestMcpHttpServer : IAsyncDisposable
{
    private const string Path = "/mcp";

    private readonly WebApplication _app;

    private TestMcpHttpServer(WebApplication app, int port)
    {
        _app = app;
        StreamableHttpUrl = new Uri($"http://127.0.0.1:{port}{Path}");
        SseUrl = new Uri($"http://127.0.0.1:{port}{Path}/sse");
    }

    /// <summary>The Streamable HTTP endpoint, e.g. <c>http://127.0.0.1:PORT/mcp</c>.</summary>
    public Uri StreamableHttpUrl { get; }

    /// <summary>The legacy SSE endpoint (GET opens the stream; messages are POSTed to <c>/mcp/message</c>).</summary>
    public Uri SseUrl { get; }

    public static async Task<TestMcpHttpServer> StartAsync(int port = 0, CancellationToken ct = default)
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
        app.MapMcp(Path);
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new TestMcpHttpServer(app, LoopbackHost.BoundPort(app));
    }

    public ValueTask DisposeAsync() => LoopbackHost.StopAsync(_app);
}
