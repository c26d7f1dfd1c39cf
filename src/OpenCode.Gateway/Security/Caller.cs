using OpenCode.Abstractions;

namespace OpenCode.Gateway.Security;

/// <summary>Who is calling: the tenant whose resources they reach and the user they act as.</summary>
public sealed record Caller(string Tenant, string User)
{
    /// <summary>Without authentication the server has one local user.</summary>
    public static readonly Caller Local = new(GrainKeys.LocalTenant, "local");

    public static Caller From(HttpContext context) => Local;
}
