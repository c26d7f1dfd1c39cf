using OpenCode.Abstractions;

namespace OpenCode.Gateway.Security;

/// <summary>
/// Whether a caller's credentials still hold, for connections that outlive the request that authenticated them
/// (a WebSocket, an event stream): a revoked key or an expired token ends them.
/// </summary>
public static class CallerCredentials
{
    /// <summary>How often a long-lived connection re-checks its credentials while no request comes.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);

    /// <summary>Whether there is anything to re-check (the local user's and a static key's credentials never expire by time alone).</summary>
    public static bool CanLapse(CallerIdentity caller) => caller.ApiKeyHash is not null || caller.ExpiresAt is not null;

    /// <summary>Why the credentials no longer hold, or null while they do.</summary>
    public static async Task<string?> LapsedAsync(CallerIdentity caller, IGrainFactory grains, TimeProvider clock)
    {
        if (caller.ExpiresAt is { } expiresAt && expiresAt <= clock.GetUtcNow())
        {
            return "credentials expired";
        }

        return caller.ApiKeyHash is { } hash && await grains.GetGrain<IApiKeyGrain>(hash).GetAsync() is not { IsRevoked: false }
            ? "API key revoked"
            : null;
    }
}
