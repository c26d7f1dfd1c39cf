namespace OpenCode.Runtime.Mcp;

/// <summary>
/// Exponential backoff with jitter: attempt <c>n</c> waits between half and all of
/// <c>min(max, initial × 2^(n-1))</c>. Keeping the lower half out keeps the growth; the random upper half spreads the
/// retries of many silos (and many servers) that lost their sessions at the same moment.
/// </summary>
internal sealed class ReconnectBackoff(TimeSpan initial, TimeSpan max, Random random)
{
    public ReconnectBackoff(McpSupervisionOptions options)
        : this(options.RetryDelay, options.MaxRetryDelay, Random.Shared)
    {
    }

    /// <summary>The delay before attempt <paramref name="attempt"/> (1 for the first retry).</summary>
    public TimeSpan Delay(int attempt)
    {
        // Doubling stops at the cap, so large attempt numbers cannot overflow.
        var ceiling = initial;
        for (var i = 1; i < attempt && ceiling < max; i++)
        {
            ceiling *= 2;
        }

        if (ceiling > max)
        {
            ceiling = max;
        }

        return ceiling * (0.5 + (0.5 * random.NextDouble()));
    }
}
