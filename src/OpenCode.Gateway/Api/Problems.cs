using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCode.Abstractions;
using OpenCode.Gateway.Security;

namespace OpenCode.Gateway.Api;

/// <summary>Problem-details answers with the API's stable <c>code</c>, and which HTTP status each code has.</summary>
public static class Problems
{
    private static readonly Dictionary<string, int> StatusByCode = new()
    {
        [ErrorCodes.ValidationFailed] = StatusCodes.Status400BadRequest,
        [ErrorCodes.EndpointNotAllowed] = StatusCodes.Status400BadRequest,
        [ErrorCodes.AgentNotFound] = StatusCodes.Status404NotFound,
        [ErrorCodes.ConversationNotFound] = StatusCodes.Status404NotFound,
        [ErrorCodes.AgentExists] = StatusCodes.Status409Conflict,
        [ErrorCodes.ConversationExists] = StatusCodes.Status409Conflict,
        [ErrorCodes.ConversationBusy] = StatusCodes.Status409Conflict,
        [ErrorCodes.ApprovalNotFound] = StatusCodes.Status404NotFound,
        [ErrorCodes.ApprovalAlreadyAnswered] = StatusCodes.Status409Conflict,
        [ErrorCodes.ToolChangeNotFound] = StatusCodes.Status404NotFound,
        [ErrorCodes.IdempotencyKeyReused] = StatusCodes.Status422UnprocessableEntity,
        // Someone cancelled the turn (or interrupted it with a new message) while this request waited for it.
        [ErrorCodes.TurnCancelled] = StatusCodes.Status409Conflict,
        [ErrorCodes.ModelUnavailable] = StatusCodes.Status502BadGateway,
        [ErrorCodes.ModelError] = StatusCodes.Status502BadGateway,
        // The request was fine and the server healthy: the agent's own limits stopped the turn.
        [ErrorCodes.LimitExceeded] = StatusCodes.Status422UnprocessableEntity,
        [ErrorCodes.Unauthorized] = StatusCodes.Status401Unauthorized,
        [ErrorCodes.Forbidden] = StatusCodes.Status403Forbidden,
        [ErrorCodes.ApiKeyNotFound] = StatusCodes.Status404NotFound,
        [ErrorCodes.OriginNotAllowed] = StatusCodes.Status403Forbidden,
        // The server's limits on a caller, a user or a tenant: the same request can succeed later.
        [ErrorCodes.RateLimited] = StatusCodes.Status429TooManyRequests,
        [ErrorCodes.TooManyTurns] = StatusCodes.Status429TooManyRequests,
        [ErrorCodes.QuotaExceeded] = StatusCodes.Status429TooManyRequests,
        [ErrorCodes.StorageUnavailable] = StatusCodes.Status503ServiceUnavailable,
        [ErrorCodes.InternalError] = StatusCodes.Status500InternalServerError,
    };

    /// <summary>The code of a problem raised by ASP.NET itself (routing, body binding, limits).</summary>
    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "bad_request",
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthorized,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status413PayloadTooLarge => "payload_too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        _ when status >= 500 => ErrorCodes.InternalError,
        _ => "error",
    };

    public static int StatusFor(string code) => StatusByCode.GetValueOrDefault(code, StatusCodes.Status400BadRequest);

    public static ProblemHttpResult For(string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var status = StatusFor(code);
        var problem = new ProblemDetails
        {
            Status = status,
            Title = Title(code),
            Detail = detail,
            // A URN, not a web address: the code names the problem, there is no page to fetch.
            Type = $"urn:opencode:problem:{code}",
        };
        problem.Extensions["code"] = code;
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        return TypedResults.Problem(problem);
    }

    public static ProblemHttpResult For(OpenCodeException exception) => exception switch
    {
        ValidationFailedException validation => Validation(validation.Errors, validation.Code),
        MissingPermissionException missing => For(exception.Code, exception.Message, new Dictionary<string, object?> { ["permission"] = missing.Permission }),
        _ => For(exception.Code, exception.Message),
    };

    public static ProblemHttpResult Validation(IReadOnlyList<FieldError> errors, string code = ErrorCodes.ValidationFailed) =>
        For(code, string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")), new Dictionary<string, object?>
        {
            ["errors"] = errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
        });

    public static ProblemHttpResult Validation(string field, string message) => Validation([new FieldError(field, message)]);

    private static string Title(string code) => code switch
    {
        ErrorCodes.ValidationFailed => "The request is not valid.",
        ErrorCodes.EndpointNotAllowed => "The configuration points at an endpoint or command the operator does not allow.",
        ErrorCodes.AgentNotFound => "The agent was not found.",
        ErrorCodes.ConversationNotFound => "The conversation was not found.",
        ErrorCodes.AgentExists => "The agent already exists.",
        ErrorCodes.ConversationBusy => "The conversation is running a turn.",
        ErrorCodes.ApprovalNotFound => "The approval request was not found.",
        ErrorCodes.ApprovalAlreadyAnswered => "The approval request was already answered.",
        ErrorCodes.ToolChangeNotFound => "The tool has no change waiting to be accepted.",
        ErrorCodes.ModelUnavailable => "The model could not be reached.",
        ErrorCodes.ModelError => "The model answered with an error.",
        ErrorCodes.LimitExceeded => "The turn reached one of the agent's limits.",
        ErrorCodes.RateLimited => "Too many requests.",
        ErrorCodes.TooManyTurns => "Too many turns are running.",
        ErrorCodes.QuotaExceeded => "The token budget of the day is spent.",
        ErrorCodes.StorageUnavailable => "The state store is unavailable; try again later.",
        ErrorCodes.IdempotencyKeyReused => "The idempotency key was used for a different message.",
        ErrorCodes.TurnCancelled => "The turn was cancelled.",
        ErrorCodes.Unauthorized => "The request needs valid credentials.",
        ErrorCodes.Forbidden => "The caller lacks a permission.",
        ErrorCodes.ApiKeyNotFound => "The API key was not found.",
        ErrorCodes.OriginNotAllowed => "Requests from pages of this origin are not accepted.",
        _ => "The request failed.",
    };
}
