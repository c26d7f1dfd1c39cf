using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api.Models;
using OpenCode.Gateway.Limits;
using OpenCode.Gateway.Security;
using OpenCode.Gateway.Streaming;

namespace OpenCode.Gateway.Api;

public static class WebSocketApi
{
    public const string ExpectedUpgradeCode = "websocket_expected";

    public static IEndpointRouteBuilder MapWebSocketApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ws", ConnectAsync).WithTags("Streaming").WithName("WebSocket")
            .WithSummary("WebSocket of JSON envelopes (type request/response/event): agents, conversations, messages, subscriptions, cancel, approvals.");
        app.MapPost("/ws/ticket", IssueTicketAsync).WithTags("Streaming").WithName("IssueWebSocketTicket")
            .WithSummary("A short-lived single-use ticket for /ws?ticket=… (browsers cannot send an Authorization header with a WebSocket).");
        return app;
    }

    public static async Task<Ok<WebSocketTicketView>> IssueTicketAsync([AsParameters] ApiContext api, IOptions<AuthOptions> auth, TimeProvider clock)
    {
        var ticket = ApiKeys.New();
        var expiresAt = clock.GetUtcNow().AddSeconds(auth.Value.TicketLifetimeSeconds);
        await WebSocketTicketAuthenticationHandler.TicketGrain(api.Grains, ticket).IssueAsync(api.Caller, expiresAt);
        return TypedResults.Ok(new WebSocketTicketView(ticket, expiresAt));
    }

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ConnectAsync(
        [AsParameters] ApiContext api,
        AuditTrail audit,
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
        await new WebSocketConnection(socket, api, audit, configuration, options.Value, limits, logger).RunAsync();
        return TypedResults.Empty;
    }
}
