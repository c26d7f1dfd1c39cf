using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using OpenCode.Abstractions;

namespace OpenCode.Gateway.Security;

/// <summary>Reads a validated JWT's configured claims (user, tenant, roles) into the claims every scheme here produces.</summary>
public sealed class JwtCallerClaims(AuthOptions options)
{
    public Task OnTokenValidatedAsync(TokenValidatedContext context)
    {
        var token = context.Principal!;
        var jwt = options.Jwt;
        var user = token.FindFirstValue(jwt.UserClaim);
        var tenant = token.FindFirstValue(jwt.TenantClaim) ?? options.DefaultTenant;
        if (!GrainKeys.IsValidSegment(user) || !GrainKeys.IsValidSegment(tenant))
        {
            context.Fail($"The token's '{jwt.UserClaim}' and '{jwt.TenantClaim}' claims must be non-empty names without '/'.");
            return Task.CompletedTask;
        }

        // A roles claim is a JSON array (one claim per role) or one space-separated string.
        var roles = token.FindAll(jwt.RolesClaim)
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var expiresAt = long.TryParse(token.FindFirstValue("exp"), out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp) : (DateTimeOffset?)null;
        context.Principal = OpenCodeClaims.Principal(new CallerIdentity(tenant!, user!, roles, ApiKeyId: null, expiresAt, ApiKeyHash: null), context.Scheme.Name);
        return Task.CompletedTask;
    }
}
