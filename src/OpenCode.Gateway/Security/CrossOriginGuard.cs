using Microsoft.Net.Http.Headers;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api;

namespace OpenCode.Gateway.Security;

/// <summary>
/// Refuses requests a browser made for a page of another origin. CORS keeps such a page from reading answers, but a
/// browser still sends a plain POST or opens a WebSocket without asking — with the gateway's local user (no
/// authentication) that would let any web page act on the user's behalf.
/// </summary>
public sealed class CrossOriginGuard(RequestDelegate next, BrowserOrigins origins)
{
    public Task InvokeAsync(HttpContext context)
    {
        // CORS preflights are answered by the CORS middleware; non-browser clients send no Origin.
        if (HttpMethods.IsOptions(context.Request.Method)
            || context.Request.Headers[HeaderNames.Origin] is not { Count: > 0 } origin
            || origins.Allows(origin.ToString(), context.Request))
        {
            return next(context);
        }

        return Problems.For(ErrorCodes.OriginNotAllowed, $"Requests from pages of {origin} are not accepted (Cors:AllowedOrigins lists the origins that are).")
            .ExecuteAsync(context);
    }
}
