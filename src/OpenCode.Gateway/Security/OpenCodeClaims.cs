using System.Globalization;
using System.Security.Claims;
using OpenCode.Abstractions;

namespace OpenCode.Gateway.Security;

/// <summary>
/// The claims every authentication scheme here produces, whatever the credential (API key, JWT, WebSocket ticket,
/// the local user), so that the caller (<see cref="Caller"/>) is read one way.
/// </summary>
public static class OpenCodeClaims
{
    public const string Tenant = "oc:tenant";
    public const string User = "oc:user";
    public const string Role = "oc:role";
    public const string ApiKeyId = "oc:key";

    /// <summary>The hash naming the key's grain: lets a long-lived WebSocket see its key revoked.</summary>
    public const string ApiKeyHash = "oc:key_hash";

    /// <summary>When the credential stops being valid (Unix seconds): a JWT's <c>exp</c>.</summary>
    public const string ExpiresAt = "oc:exp";

    public static ClaimsPrincipal Principal(CallerIdentity caller, string scheme)
    {
        var claims = new List<Claim> { new(Tenant, caller.Tenant), new(User, caller.User) };
        claims.AddRange(caller.Roles.Select(r => new Claim(Role, r)));
        if (caller.ApiKeyId is { } keyId)
        {
            claims.Add(new Claim(ApiKeyId, keyId));
        }

        if (caller.ApiKeyHash is { } apiKeyHash)
        {
            claims.Add(new Claim(ApiKeyHash, apiKeyHash));
        }

        if (caller.ExpiresAt is { } expiresAt)
        {
            claims.Add(new Claim(ExpiresAt, expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, User, Role));
    }

    /// <summary>The caller <paramref name="principal"/> stands for (the reverse of <see cref="Principal"/>); null when it is not authenticated.</summary>
    public static CallerIdentity? Caller(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true
            || principal.FindFirstValue(Tenant) is not { } tenant
            || principal.FindFirstValue(User) is not { } user)
        {
            return null;
        }

        return new CallerIdentity(
            tenant,
            user,
            [.. principal.FindAll(Role).Select(c => c.Value)],
            principal.FindFirstValue(ApiKeyId),
            long.TryParse(principal.FindFirstValue(ExpiresAt), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null,
            principal.FindFirstValue(ApiKeyHash));
    }
}
