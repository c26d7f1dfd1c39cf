using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace OpenCode.Runtime.Mcp;

/// <summary>
/// How MCP sessions are watched and rebuilt, read once from the <c>Mcp:Supervision</c> configuration section. A lost
/// session (the process exited, the socket or stream closed, a ping went unanswered) or a failed connect is retried in
/// the background after <see cref="RetryDelay"/>, doubling per failure up to <see cref="MaxRetryDelay"/>, each delay
/// jittered down by up to half so that silos do not retry in step; after <see cref="MaxRetries"/> failed attempts the
/// connection is <c>failed</c> until a call connects again.
/// </summary>
public sealed record McpSupervisionOptions
{
    public const string Section = "Mcp:Supervision";

    /// <summary><c>RetryDelaySeconds</c>: the delay before the first reconnect attempt (default 1 s).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>MaxRetryDelaySeconds</c>: the cap of the doubling delay (default 60 s).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>MaxRetries</c>: background attempts before giving up (default 10; 0 turns background reconnects off).</summary>
    public int MaxRetries { get; init; } = 10;

    /// <summary>
    /// <c>PingIntervalSeconds</c>: a session with no request in flight and no answer for this long is pinged
    /// (default 30 s; 0 turns pings off). Catches HTTP servers that went away, which nothing else notices between calls.
    /// </summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>PingTimeoutSeconds</c>: a ping unanswered for this long means the session is dead (default 10 s).</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public static McpSupervisionOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var defaults = new McpSupervisionOptions();
        return new McpSupervisionOptions
        {
            RetryDelay = Seconds(section["RetryDelaySeconds"], defaults.RetryDelay, allowZero: false),
            MaxRetryDelay = Seconds(section["MaxRetryDelaySeconds"], defaults.MaxRetryDelay, allowZero: false),
            MaxRetries = int.TryParse(section["MaxRetries"], CultureInfo.InvariantCulture, out var retries) && retries >= 0 ? retries : defaults.MaxRetries,
            PingInterval = Seconds(section["PingIntervalSeconds"], defaults.PingInterval, allowZero: true),
            PingTimeout = Seconds(section["PingTimeoutSeconds"], defaults.PingTimeout, allowZero: false),
        };
    }

    private static TimeSpan Seconds(string? value, TimeSpan fallback, bool allowZero) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && (seconds > 0 || (allowZero && seconds == 0))
            ? TimeSpan.FromSeconds(seconds)
            : fallback;
}
