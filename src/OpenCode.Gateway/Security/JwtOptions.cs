using System.Text;

namespace OpenCode.Gateway.Security;

/// <summary>The <c>Auth:Jwt</c> section: bearer tokens from an OIDC provider (<see cref="Authority"/>) or signed with a shared key.</summary>
public sealed class JwtOptions
{
    /// <summary>The shortest HS256 key accepted: 256 bits, as RFC 7518 requires.</summary>
    public const int MinimumSigningKeyBytes = 32;

    public string? Issuer { get; set; }
    public string? Audience { get; set; }

    /// <summary>An OIDC issuer whose discovery document gives the signing keys.</summary>
    public string? Authority { get; set; }

    /// <summary>A shared HS256 key, instead of <see cref="Authority"/>.</summary>
    public string? SigningKey { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;
    public string UserClaim { get; set; } = "sub";
    public string TenantClaim { get; set; } = "tenant";
    public string RolesClaim { get; set; } = "roles";

    public bool IsConfigured => !string.IsNullOrEmpty(Authority) || !string.IsNullOrEmpty(SigningKey);

    public void Validate()
    {
        if (!IsConfigured)
        {
            return;
        }

        if (string.IsNullOrEmpty(Issuer) || string.IsNullOrEmpty(Audience))
        {
            throw new InvalidOperationException("Auth:Jwt needs Issuer and Audience: a token from any issuer or for any audience is not accepted.");
        }

        if (!string.IsNullOrEmpty(Authority) && !string.IsNullOrEmpty(SigningKey))
        {
            throw new InvalidOperationException("Auth:Jwt takes either Authority (OIDC discovery) or SigningKey (HS256), not both.");
        }

        if (SigningKey is { } key && Encoding.UTF8.GetByteCount(key) < MinimumSigningKeyBytes)
        {
            throw new InvalidOperationException($"Auth:Jwt:SigningKey must be at least {MinimumSigningKeyBytes} bytes.");
        }
    }
}
