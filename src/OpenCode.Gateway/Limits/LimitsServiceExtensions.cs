using System.Globalization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api;
using OpenCode.Runtime.Limits;

namespace OpenCode.Gateway.Limits;

/// <summary>
/// The <c>Limits</c> the gateway enforces itself: request body size, requests per minute and message length. The
/// limits on turns (concurrent turns, tokens per day) are the conversation grain's (<see cref="TurnQuota"/>).
/// </summary>
public static class LimitsServiceExtensions
{
    public static WebApplicationBuilder AddOpenCodeLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<LimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes > 0 ? limits.Value.MaxRequestBodyBytes : null);
        builder.Services.AddSingleton<RequestLimits>();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = RejectAsync;
        });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<RequestLimits>((o, limits) =>
        {
            if (limits.LimitsRate)
            {
                o.GlobalLimiter = limits.ForRequests();
            }
        });
        return builder;
    }

    /// <summary>
    /// Counts requests when <c>Limits:RequestsPerMinute</c> is set (nothing runs otherwise). Place it after
    /// authentication: a request's bucket is its caller's. Endpoints marked <c>DisableRateLimiting</c> are not counted.
    /// </summary>
    public static WebApplication UseOpenCodeLimits(this WebApplication app)
    {
        if (app.Services.GetRequiredService<RequestLimits>().LimitsRate)
        {
            app.UseRateLimiter();
        }

        return app;
    }

    /// <summary>
    /// With authentication on: <see cref="LimitsOptions.AuthenticatedDefaults"/>, placed under every other
    /// configuration source, so a configured value (an explicit 0 included) still wins.
    /// </summary>
    public static IConfigurationBuilder AddAuthenticatedLimitDefaults(this IConfigurationBuilder configuration)
    {
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LimitsOptions.AuthenticatedDefaults });
        return configuration;
    }

    /// <summary>
    /// Refuses requests from an address that has had <c>Limits:FailedAuthenticationsPerMinute</c> credentials refused,
    /// before authentication looks any up. Place it before authentication (nothing runs when the limit is 0).
    /// </summary>
    public static WebApplication UseFailedAuthenticationLimit(this WebApplication app)
    {
        if (app.Services.GetRequiredService<RequestLimits>().LimitsFailedAuthentication)
        {
            app.UseMiddleware<FailedAuthenticationLimit>();
        }

        return app;
    }

    /// <summary>429 as a problem with <c>rate_limited</c>, and <c>Retry-After</c> when the bucket says when it has a token again.</summary>
    internal static Task RejectAsync(HttpContext context, int? retryAfter, Func<int?, string> detail)
    {
        if (retryAfter is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return Problems.For(ErrorCodes.RateLimited, detail(retryAfter)).ExecuteAsync(context);
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken) =>
        await RejectAsync(rejected.HttpContext, RequestLimits.RetryAfterSeconds(rejected.Lease), RequestLimits.RateLimitedDetail);
}
