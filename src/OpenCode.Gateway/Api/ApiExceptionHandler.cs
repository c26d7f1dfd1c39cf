using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Diagnostics;
using OpenCode.Abstractions;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Gateway.Api;

/// <summary>
/// Turns every exception into a problem-details answer: the caller's mistakes (malformed JSON, wrong
/// content type, oversized body, broken rules) become 4xx with a clear detail, never a 500.
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var result = exception switch
        {
            OpenCodeException known => Problems.For(known),
            BadHttpRequestException bad => Problems.For(CodeOf(bad), Describe(bad)),
            JsonException json => Problems.For(ErrorCodes.ValidationFailed, $"Malformed JSON: {json.Message}"),
            _ when StorageFailure.IsUnavailable(exception) => StorageUnavailable(context, exception),
            _ => null,
        };

        if (result is null)
        {
            LogUnexpected(logger, context.Request.Method, context.Request.Path, exception.ToString());
            result = Problems.For(ErrorCodes.InternalError, "The server failed to handle the request.");
        }

        var status = exception is BadHttpRequestException badRequest ? badRequest.StatusCode : result.StatusCode;
        result.ProblemDetails.Status = status;
        context.Response.StatusCode = status;
        if (await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = result.ProblemDetails,
            Exception = exception,
        }))
        {
            return true;
        }

        // The writer declines a client that accepts no JSON (an SSE request's Accept: text/event-stream); the
        // error is still answered as problem+json, which the result itself writes.
        await result.ExecuteAsync(context);
        return true;
    }

    /// <summary>503 with Retry-After: nothing was recorded, and the same request can succeed once the store is back.</summary>
    private ProblemHttpResult StorageUnavailable(HttpContext context, Exception exception)
    {
        LogStorageUnavailable(logger, context.Request.Method, context.Request.Path, exception.GetBaseException().Message);
        context.Response.Headers.RetryAfter = ((int)StorageFailure.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return Problems.For(ErrorCodes.StorageUnavailable, "The state store cannot be reached; nothing was changed. Try again later.");
    }

    private static string CodeOf(BadHttpRequestException bad) => bad.StatusCode switch
    {
        StatusCodes.Status400BadRequest => bad.InnerException is JsonException ? "invalid_json" : "bad_request",
        _ => Problems.CodeFor(bad.StatusCode),
    };

    /// <summary>The JSON reader's message says where the body went wrong; ASP.NET's own only names the parameter.</summary>
    private static string Describe(BadHttpRequestException bad) => bad.InnerException is JsonException json
        ? $"The body is not valid JSON for this request: {json.Message}"
        : bad.Message;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: the state store is unavailable ({Reason})")]
    private static partial void LogStorageUnavailable(ILogger logger, string method, string path, [Pii] string reason);

    // The exception as classified text: its message may quote the request.
    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}: {Error}")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, [Pii] string error);
}
