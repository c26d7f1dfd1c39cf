using Microsoft.Extensions.Configuration;

namespace OpenCode.Runtime.Models;

/// <summary>
/// Network settings shared by every model client, read once from the <c>Models</c> configuration section.
/// </summary>
/// <remarks>
/// Retries: the OpenAI and Anthropic SDKs retry connection failures, timeouts, 408, 409 (Anthropic), 429 and 5xx
/// on their own. We keep that, but bounded by <c>Models:MaxRetries</c> (default 1): one quick retry absorbs a
/// transient blip without delaying a fallback model for long; a request is never retried once its response
/// has started streaming. Ollama (OllamaSharp) has no retry logic; it is normally local.
/// </remarks>
internal sealed record ModelClientOptions
{
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(300);
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);
    public const int DefaultMaxRetries = 1;

    /// <summary>
    /// <c>Models:RequestTimeoutSeconds</c>: the longest one attempt may wait for the provider to start answering
    /// (OpenAI: also the longest gap between two reads of a stream). A streamed answer that keeps flowing is not cut off.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    /// <summary><c>Models:ConnectTimeoutSeconds</c>: the longest to wait for a TCP/TLS connection, so an unreachable host fails fast.</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary><c>Models:MaxRetries</c>: SDK-internal retries per request (0 disables them).</summary>
    public int MaxRetries { get; init; } = DefaultMaxRetries;

    public static ModelClientOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Models");
        return new ModelClientOptions
        {
            RequestTimeout = Seconds(section["RequestTimeoutSeconds"], DefaultRequestTimeout),
            ConnectTimeout = Seconds(section["ConnectTimeoutSeconds"], DefaultConnectTimeout),
            MaxRetries = int.TryParse(section["MaxRetries"], out var retries) && retries >= 0 ? retries : DefaultMaxRetries,
        };
    }

    private static TimeSpan Seconds(string? value, TimeSpan fallback) =>
        double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : fallback;
}
