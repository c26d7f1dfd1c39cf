using System.Globalization;
using System.Security.Claims;
using OpenCode.Abstractions;

namespace OpenCode.Gateway.Security;

/// <summary>
/// Who is calling: the tenant whose resources they reach, the user they act as, their roles, and the API key they
/// presented (null for a JWT or the local user).
/// </summary>
public sealed record Caller(string Tenant, string User, IReadOnlyList<string> Roles, string? ApiKeyId = null)
{
    /// <summary>Without authentication the server has one local user, who administers it.</summary>
    public static readonly Caller Local = new(GrainKeys.LocalTenant, "local", [Role.Admin]);

    /// <summary>The hash naming the presented API key's grain.</summary>
    public string? ApiKeyHash { get; init; }

    /// <summary>When the credential expires (a JWT's <c>exp</c>), if it does.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The authenticated caller of this request, read once from its claims.</summary>
    public static Caller From(HttpContext context)
    {
        // The common case without authentication, on every request of the turn path: nothing to read or keep.
        if (context.User.Identity?.AuthenticationType == LocalAuthenticationHandler.SchemeName)
        {
            return Local;
        }

        if (context.Items[typeof(Caller)] is Caller cached)
        {
            return cached;
        }

        var caller = From(context.User)
            ?? throw new OpenCodeException(ErrorCodes.Unauthorized, "The request carries no valid credentials.");
        context.Items[typeof(Caller)] = caller;
        return caller;
    }

    public static Caller? From(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true
            || principal.FindFirstValue(OpenCodeClaims.Tenant) is not { } tenant
            || principal.FindFirstValue(OpenCodeClaims.User) is not { } user)
        {
            return null;
        }

        return new Caller(tenant, user, [.. principal.FindAll(OpenCodeClaims.Role).Select(c => c.Value)], principal.FindFirstValue(OpenCodeClaims.ApiKeyId))
        {
            ApiKeyHash = principal.FindFirstValue(OpenCodeClaims.ApiKeyHash),
            ExpiresAt = long.TryParse(principal.FindFirstValue(OpenCodeClaims.ExpiresAt), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null,
        };
    }

    public CallerIdentity Identity => new(Tenant, User, Roles, ApiKeyId, ExpiresAt, ApiKeyHash);
}
