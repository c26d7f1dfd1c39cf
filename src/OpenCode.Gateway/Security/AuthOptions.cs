using OpenCode.Abstractions;

namespace OpenCode.Gateway.Security;

/// <summary>The <c>Auth</c> section: which credentials the gateway accepts.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";
    public const int MinimumKeyLength = 16;

    /// <summary>Turns authentication on with API keys only (keys issued earlier are in the store).</summary>
    public bool Enabled { get; set; }

    /// <summary>An admin key created at start-up when it does not exist yet: the first way in.</summary>
    public string? BootstrapAdminKey { get; set; }

    /// <summary>The tenant of the bootstrap key, of operator-declared agents and of tokens without a tenant claim.</summary>
    public string DefaultTenant { get; set; } = GrainKeys.LocalTenant;

    /// <summary>How long a WebSocket ticket from <c>POST /ws/ticket</c> can be redeemed.</summary>
    public int TicketLifetimeSeconds { get; set; } = 30;

    public JwtOptions Jwt { get; set; } = new();

    /// <summary>Whether callers must authenticate; otherwise there is one local user on a loopback address.</summary>
    public bool IsOn => Enabled || !string.IsNullOrEmpty(BootstrapAdminKey) || Jwt.IsConfigured;

    /// <summary>Refuses settings that would leave the server open or unusable, with a message saying which.</summary>
    public void Validate()
    {
        if (BootstrapAdminKey is { Length: < MinimumKeyLength })
        {
            throw new InvalidOperationException($"Auth:BootstrapAdminKey must be at least {MinimumKeyLength} characters long.");
        }

        if (!GrainKeys.IsValidSegment(DefaultTenant))
        {
            throw new InvalidOperationException("Auth:DefaultTenant must be a non-empty name without '/'.");
        }

        Jwt.Validate();
    }
}
