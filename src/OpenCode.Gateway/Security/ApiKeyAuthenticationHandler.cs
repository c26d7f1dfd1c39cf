using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenCode.Abstractions;

namespace OpenCode.Gateway.Security;

/// <summary>Authenticates an API key by asking its grain on every request, so a revoked key stops at once everywhere.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IGrainFactory grains)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiKeys.Read(Request) is not { } key)
        {
            return AuthenticateResult.NoResult();
        }

        var hash = ApiKeys.Hash(key);
        if (await grains.GetGrain<IApiKeyGrain>(hash).GetAsync() is not { IsRevoked: false } info)
        {
            return AuthenticateResult.Fail("The API key is not valid: unknown or revoked.");
        }

        var caller = new CallerIdentity(info.Tenant, info.User, info.Roles, info.Id, ExpiresAt: null, ApiKeyHash: hash);
        return AuthenticateResult.Success(new AuthenticationTicket(OpenCodeClaims.Principal(caller, SchemeName), SchemeName));
    }
}
