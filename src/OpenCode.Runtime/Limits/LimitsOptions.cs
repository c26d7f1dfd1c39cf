namespace OpenCode.Runtime.Limits;

/// <summary>
/// The <c>Limits</c> section: what one caller, user or tenant may take from the server. 0 means unlimited. Without
/// authentication (one local user) only the size limits are on; <see cref="AuthenticatedDefaults"/> are the values
/// recommended once callers are authenticated.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;
    public const int DefaultMaxMessageChars = 100_000;

    /// <summary>
    /// Requests per minute of one caller (an API key, else a user), counted per silo: HTTP requests, WebSocket upgrades
    /// and the requests sent over a WebSocket alike. Over it: 429 <c>rate_limited</c> with <c>Retry-After</c>.
    /// </summary>
    public int RequestsPerMinute { get; set; }

    /// <summary>
    /// Refused credentials (answers of 401) one client address may cause per minute, counted per silo. Past it the
    /// address gets 429 <c>rate_limited</c> before any credential it sends is looked up, so guessing keys costs the
    /// guesser rather than the key store; the address's valid keys wait too until its bucket refills.
    /// </summary>
    public int FailedAuthenticationsPerMinute { get; set; }

    /// <summary>Turns one user runs at the same time, across the cluster; a turn over it is refused with <c>too_many_turns</c>.</summary>
    public int MaxConcurrentTurnsPerUser { get; set; }

    /// <summary>Tokens (prompt plus completion) a tenant's models may use per UTC day; once spent, turns get <c>quota_exceeded</c>.</summary>
    public long TenantTokensPerDay { get; set; }

    /// <summary>Characters of one user message; a longer one is a validation failure naming <c>message</c>.</summary>
    public int MaxMessageChars { get; set; } = DefaultMaxMessageChars;

    /// <summary>Bytes of one request body; a larger one gets 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>
    /// The limits recommended with authentication on, as configuration keys: a configuration source placed under the
    /// others, so a configured value (0 included) still wins. 600 requests a minute is ten a second, far above what a UI
    /// sends (a stream counts once); thirty refused credentials a minute allow plenty of typos and far too few guesses;
    /// four turns at a time leave room for a few tabs; ten million tokens a day bounds what one tenant can spend by
    /// accident.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> AuthenticatedDefaults { get; } = new Dictionary<string, string?>
    {
        [$"{Section}:{nameof(RequestsPerMinute)}"] = "600",
        [$"{Section}:{nameof(FailedAuthenticationsPerMinute)}"] = "30",
        [$"{Section}:{nameof(MaxConcurrentTurnsPerUser)}"] = "4",
        [$"{Section}:{nameof(TenantTokensPerDay)}"] = "10000000",
    };
}
