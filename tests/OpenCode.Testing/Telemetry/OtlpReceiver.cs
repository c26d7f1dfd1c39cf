using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OpenCode.Testing;

/// <summary>
/// An OTLP/HTTP receiver on loopback (what an OpenTelemetry collector listens with): it keeps the protobuf bodies
/// posted to <c>/v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c>. Strings travel in protobuf as plain UTF-8,
/// so a test searches the bodies for span names, attribute values, or secrets that must not be there.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _received = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary><c>http://127.0.0.1:PORT</c>: the value of <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string Endpoint { get; private set; } = "";

    public static async Task<OtlpReceiver> StartAsync(CancellationToken ct = default)
    {
        var app = LoopbackHost.CreateBuilder(0).Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver._received.Enqueue((signal, body.ToArray()));
            // An empty Export*ServiceResponse: everything accepted.
            return Results.Bytes([], "application/x-protobuf");
        });
        await LoopbackHost.StartAsync(app, ct);

        receiver.Endpoint = $"http://127.0.0.1:{LoopbackHost.BoundPort(app)}";
        return receiver;
    }

    /// <summary>Every body received for <paramref name="signal"/> (<c>traces</c>, <c>metrics</c>, <c>logs</c>) so far.</summary>
    public IReadOnlyList<byte[]> Bodies(string signal) => [.. _received.Where(r => r.Signal == signal).Select(r => r.Body)];

    /// <summary>Whether any body received so far (of <paramref name="signal"/>, else of any signal) holds <paramref name="text"/>.</summary>
    public bool Holds(string text, string? signal = null)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return _received.Any(r => (signal is null || r.Signal == signal) && r.Body.AsSpan().IndexOf(bytes) >= 0);
    }

    /// <summary>Waits until a body of <paramref name="signal"/> holds every one of <paramref name="texts"/>.</summary>
    public async Task WaitForAsync(string signal, TimeSpan timeout, params string[] texts)
    {
        var wanted = texts.Select(Encoding.UTF8.GetBytes).ToList();
        using var deadline = new CancellationTokenSource(timeout);
        while (!_received.Any(r => r.Signal == signal && wanted.All(w => r.Body.AsSpan().IndexOf(w) >= 0)))
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"No {signal} export held {string.Join(", ", texts)} within {timeout} ({Bodies(signal).Count} {signal} exports received).");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    public ValueTask DisposeAsync() => LoopbackHost.StopAsync(_app);
}
