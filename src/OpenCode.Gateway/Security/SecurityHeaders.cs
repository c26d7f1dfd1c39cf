using Microsoft.Net.Http.Headers;

namespace OpenCode.Gateway.Security;

/// <summary>Headers that keep browsers from sniffing, framing or leaking what the API answers.</summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    private static readonly Func<object, Task> AddHeaders = state =>
    {
        var headers = ((HttpResponse)state).Headers;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers[HeaderNames.XFrameOptions] = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers[HeaderNames.ContentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        return Task.CompletedTask;
    };

    public Task InvokeAsync(HttpContext context)
    {
        // Added as the answer starts: the exception handler clears headers set before it.
        context.Response.OnStarting(AddHeaders, context.Response);
        return next(context);
    }
}
