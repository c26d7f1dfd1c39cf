using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenCode.Abstractions;

namespace OpenCode.Gateway.Security;

/// <summary>Authenticates <c>/ws?ticket=…</c> with a single-use ticket from <c>POST /ws/ticket</c> (browsers cannot set headers on a WebSocket).</summary>
public sealed class WebSocketTicketAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IGrainFactory grains)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "WebSocketTicket";
    public const string QueryParameter = "ticket";

    /// <summary>
    /// The grain of <paramref name="ticket"/>, keyed by its hash as API keys are: grain ids show in traces, Orleans' logs
    /// and placement, where an unredeemed ticket would be a credential anyone reading them could use.
    /// </summary>
    public static IWebSocketTicketGrain TicketGrain(IGrainFactory grains, string ticket) => grains.GetGrain<IWebSocketTicketGrain>(ApiKeys.Hash(ticket));

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Query[QueryParameter] is not { Count: 1 } values || values[0] is not { Length: > 0 and <= 128 } ticket)
        {
            return AuthenticateResult.Fail("The WebSocket ticket is missing or malformed.");
        }

        return await TicketGrain(grains, ticket).RedeemAsync() is { } caller
            ? AuthenticateResult.Success(new AuthenticationTicket(OpenCodeClaims.Principal(caller, SchemeName), SchemeName))
            : AuthenticateResult.Fail("The WebSocket ticket is not valid: unknown, used or expired.");
    }
}
