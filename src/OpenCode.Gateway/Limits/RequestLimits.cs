using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OpenCode.Abstractions;
using OpenCode.Gateway.Security;
using OpenCode.Runtime.Limits;

namespace OpenCode.Gateway.Limits;

/// <summary>
/// What one caller's requests may take: <c>Limits:RequestsPerMinute</c>, a token bucket per user (all of its API keys
/// and tokens together, see <see cref="RequestBucket.Of"/>) shared by HTTP requests, WebSocket upgrades and the
/// requests sent over a socket; <c>Limits:FailedAuthenticationsPerMinute</c>, a
/// bucket per client address; and <c>Limits:MaxMessageChars</c>. The buckets live in this silo: behind a load
/// balancer that spreads a caller over n silos, the caller gets up to n times the rate.
/// </summary>
public sealed class RequestLimits : IDisposable
{
    private const string RequestsSetting = "Limits:RequestsPerMinute";
    private const string FailuresSetting = "Limits:FailedAuthenticationsPerMinute";

    private readonly PartitionedRateLimiter<RequestBucket>? _rate;
    private readonly PartitionedRateLimiter<IPAddress>? _failures;
    private readonly int _failureRefillSeconds;

    public RequestLimits(IOptions<LimitsOptions> options)
    {
        var limits = options.Value;
        MaxMessageChars = limits.MaxMessageChars;
        if (limits.RequestsPerMinute > 0)
        {
            var bucket = Bucket(limits.RequestsPerMinute);
            // Created once, not per request: the partitioned limiter replenishes its buckets itself.
            Func<RequestBucket, RateLimiter> newBucket = _ => new TokenBucketRateLimiter(bucket);
            _rate = PartitionedRateLimiter.Create<RequestBucket, RequestBucket>(caller => RateLimitPartition.Get(caller, newBucket));
        }

        if (limits.FailedAuthenticationsPerMinute > 0)
        {
            var bucket = Bucket(limits.FailedAuthenticationsPerMinute);
            _failureRefillSeconds = (int)Math.Ceiling(bucket.ReplenishmentPeriod.TotalSeconds);
            // Keyed by the address itself and made by one factory: this bucket is asked on every request.
            Func<IPAddress, RateLimiter> newBucket = _ => new TokenBucketRateLimiter(bucket);
            _failures = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.Get(address, newBucket));
        }
    }

    /// <summary>Whether requests are counted at all; when not, no rate limiter runs.</summary>
    public bool LimitsRate => _rate is not null;

    /// <summary>Whether refused credentials are counted at all; when not, no failure limit runs.</summary>
    public bool LimitsFailedAuthentication => _failures is not null;

    public int MaxMessageChars { get; }

    /// <summary>Whole seconds until the bucket of a refused request has a token again.</summary>
    public static int? RetryAfterSeconds(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? (int)Math.Ceiling(retryAfter.TotalSeconds) : null;

    public static string RateLimitedDetail(int? retryAfterSeconds) => RateLimitedDetail("Too many requests", RequestsSetting, retryAfterSeconds);

    public static string FailedAuthenticationDetail(int? retryAfterSeconds) =>
        RateLimitedDetail("Too many refused credentials from this address", FailuresSetting, retryAfterSeconds);

    /// <summary>The rate limiting middleware's limiter: the same buckets, found from the request's caller.</summary>
    public PartitionedRateLimiter<HttpContext> ForRequests() =>
        (_rate ?? throw new InvalidOperationException("Requests are not rate limited (Limits:RequestsPerMinute is 0)."))
            .WithTranslatedKey<HttpContext>(
                context => context.User.Identity?.IsAuthenticated == true
                    ? RequestBucket.Of(Callers.Of(context))
                    : RequestBucket.OfAddress(context.Connection.RemoteIpAddress), // anonymous routes (OpenAPI) and refused credentials
                leaveOpen: true);

    /// <summary>Takes a request (one sent over a WebSocket) from the caller's bucket; an empty bucket is <c>rate_limited</c>.</summary>
    public void TakeRequest(CallerIdentity caller)
    {
        if (_rate is null)
        {
            return;
        }

        using var lease = _rate.AttemptAcquire(RequestBucket.Of(caller));
        if (!lease.IsAcquired)
        {
            throw new OpenCodeException(ErrorCodes.RateLimited, RateLimitedDetail(RetryAfterSeconds(lease)));
        }
    }

    /// <summary>
    /// Null while <paramref name="address"/> may still present credentials (its bucket holds a whole token), else
    /// the seconds until it may at the latest (one refill period). A partitioned bucket refills continuously, so a
    /// zero-token acquire would already succeed on a fraction of a token: the statistics count whole tokens.
    /// </summary>
    public int? FailedAuthenticationsRetryAfter(IPAddress address)
    {
        var failures = _failures ?? throw new InvalidOperationException($"Refused credentials are not counted ({FailuresSetting} is 0).");
        return failures.GetStatistics(address) is { CurrentAvailablePermits: < 1 } ? _failureRefillSeconds : null;
    }

    /// <summary>Takes a token from <paramref name="address"/>'s bucket for a credential the gateway refused.</summary>
    public void CountFailedAuthentication(IPAddress address)
    {
        using var _ = _failures?.AttemptAcquire(address);
    }

    /// <summary>A user message longer than <see cref="MaxMessageChars"/> is a validation failure naming <paramref name="field"/>.</summary>
    public void CheckMessage(string text, string field)
    {
        if (MaxMessageChars > 0 && text.Length > MaxMessageChars)
        {
            throw new ValidationFailedException([new FieldError(field, string.Create(
                CultureInfo.InvariantCulture, $"is {text.Length} characters long, over the limit of {MaxMessageChars} (Limits:MaxMessageChars)"))]);
        }
    }

    public void Dispose()
    {
        _rate?.Dispose();
        _failures?.Dispose();
    }

    private static string RateLimitedDetail(string what, string setting, int? retryAfterSeconds) => retryAfterSeconds is { } seconds
        ? string.Create(CultureInfo.InvariantCulture, $"{what} ({setting}); try again in {seconds} s.")
        : $"{what} ({setting}); try again later.";

    /// <summary>
    /// A bucket that holds a minute's requests (the burst a client may send at once) and refills evenly: the same
    /// number of tokens at a fixed period, at least one token a second when the rate allows it. Replenished by the
    /// partitioned limiter that holds it, not by a timer of its own.
    /// </summary>
    private static TokenBucketRateLimiterOptions Bucket(int perMinute)
    {
        var tokensPerPeriod = Math.Max(1, perMinute / 60);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) * tokensPerPeriod / perMinute,
            QueueLimit = 0,
            AutoReplenishment = false,
        };
    }
}
