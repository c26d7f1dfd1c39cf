using OpenCode.Abstractions;

namespace OpenCode.Gateway.Security;

/// <summary>Who is calling, as every endpoint reads it: from the request's claims, once per request.</summary>
public static class Callers
{
    /// <summary>Without authentication the server has one local user, who operates it.</summary>
    public static readonly CallerIdentity Local = new(GrainKeys.LocalTenant, "local", [Role.Operator], ApiKeyId: null, ExpiresAt: null, ApiKeyHash: null);

    /// <summary>The authenticated caller of this request.</summary>
    public static CallerIdentity Of(HttpContext context)
    {
        // The common case without authentication, on every request of the turn path: nothing to read or keep.
        if (context.User.Identity?.AuthenticationType == LocalAuthenticationHandler.SchemeName)
        {
            return Local;
        }

        if (context.Items[typeof(CallerIdentity)] is CallerIdentity cached)
        {
            return cached;
        }

        var caller = OpenCodeClaims.Caller(context.User)
            ?? throw new OpenCodeException(ErrorCodes.Unauthorized, "The request carries no valid credentials.");
        context.Items[typeof(CallerIdentity)] = caller;
        return caller;
    }
}
