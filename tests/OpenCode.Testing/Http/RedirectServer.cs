using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OpenCode.Testing;

/// <summary>
/// A loopback server that answers every request with <c>302 Found</c> to one location, and counts the requests:
/// what a hostile model or MCP server does to send a client on to an address it could not be configured with.
/// </summary>
public sealed class RedirectServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private RedirectServer(WebApplication app, Uri location)
    {
        _app = app;
        Location = location;
    }

    /// <summary>Where every answer redirects to.</summary>
    public Uri Location { get; }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<RedirectServer> StartAsync(Uri location, CancellationToken ct = default)
    {
        var app = LoopbackHost.CreateBuilder(0).Build();
        var server = new RedirectServer(app, location);
        app.Run(context =>
        {
            Interlocked.Increment(ref server._requests);
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = location.ToString();
            return Task.CompletedTask;
        });
        await LoopbackHost.StartAsync(app, ct);

        server.BaseUrl = new Uri($"http://127.0.0.1:{LoopbackHost.BoundPort(app)}/");
        return server;
    }

    public ValueTask DisposeAsync() => LoopbackHost.StopAsync(_app);
}
