using OpenCode.Abstractions;

namespace OpenCode.Gateway.Security;

/// <summary>
/// Who is calling: the tenant whose resources they reach, the user they act as, their roles, and the API key they
/// presented (null for a JWT or the local user).
/// </summary>
public sealed record Caller(string Tenant, string User, IReadOnlyList<string> Roles, string? ApiKeyId = null)
{
    /// <summary>Without authentication the server has one local user, who administers it.</summary>
    public static readonly Caller Local = new(GrainKeys.LocalTenant, "local", ["admin"]);

    public static Caller From(HttpContext context) => Local;
}
