using System.Net;

namespace OpenCode.Gateway.Limits;

/// <summary>
/// <c>Limits:FailedAuthenticationsPerMinute</c>: every 401 takes a token from the client address's bucket, and an
/// address with none left is refused before its credentials are looked up. Without it, each made-up API key would
/// cost the cluster a grain activation and a storage read.
/// </summary>
public sealed class FailedAuthenticationLimit(RequestDelegate next, RequestLimits limits)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
        if (limits.FailedAuthenticationsRetryAfter(address) is { } retryAfter)
        {
            await LimitsServiceExtensions.RejectAsync(context, retryAfter, RequestLimits.FailedAuthenticationDetail);
            return;
        }

        await next(context);
        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            limits.CountFailedAuthentication(address);
        }
    }
}
