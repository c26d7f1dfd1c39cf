using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpenCode.Gateway.Limits;
using OpenCode.Gateway.Streaming;

namespace OpenCode.Gateway.Api;

public static class WebSocketApi
{
    public const string ExpectedUpgradeCode = "websocket_expected";

    public static IEndpointRouteBuilder MapWebSocketApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ws", ConnectAsync).WithTags("Streaming").WithName("WebSocket")
            .WithSummary("WebSocket of JSON envelopes (type request/response/event): agents, conversations, messages, subscriptions, cancel, approvals.");
        return app;
    }

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ConnectAsync(
        [AsParameters] ApiContext api,
        IConfiguration configuration,
        IOptions<StreamingOptions> options,
        RequestLimits limits,
        ILogger<WebSocketConnection> logger)
    {
        if (!api.Http.WebSockets.IsWebSocketRequest)
        {
            return Problems.For(ExpectedUpgradeCode, "/ws takes WebSocket connections only (an HTTP/1.1 GET with Upgrade: websocket).");
        }

        using var socket = await api.Http.WebSockets.AcceptWebSocketAsync();
        await new WebSocketConnection(socket, api, configuration, options.Value, limits, logger).RunAsync();
        return TypedResults.Empty;
    }
}
