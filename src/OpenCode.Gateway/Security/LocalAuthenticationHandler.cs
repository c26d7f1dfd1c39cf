using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OpenCode.Gateway.Security;

/// <summary>Without authentication every caller is the one local operator (the gateway then listens on loopback only).</summary>
public sealed class LocalAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Local";

    private static readonly AuthenticationTicket Ticket = new(OpenCodeClaims.Principal(Callers.Local, SchemeName), SchemeName);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.Success(Ticket));
}
