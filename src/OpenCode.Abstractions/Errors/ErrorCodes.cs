namespace OpenCode.Abstractions;

/// <summary>The stable error codes of the API (the <c>code</c> of a problem-details answer or a failed turn).</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "validation_failed";
    /// <summary>
    /// An agent configuration points at an endpoint or command the operator's allow-list does not allow (400);
    /// the problem's <c>errors</c> name the fields.
    /// </summary>
    public const string EndpointNotAllowed = "endpoint_not_allowed";
    public const string AgentNotFound = "agent_not_found";
    public const string AgentExists = "agent_exists";
    public const string ConversationNotFound = "conversation_not_found";
    public const string ConversationExists = "conversation_exists";
    public const string ConversationBusy = "conversation_busy";
    /// <summary>An <c>Idempotency-Key</c> already used for a different message (422).</summary>
    public const string IdempotencyKeyReused = "idempotency_key_reused";
    public const string ApprovalNotFound = "approval_not_found";
    public const string ApprovalAlreadyAnswered = "approval_already_answered";
    public const string ToolChangeNotFound = "tool_change_not_found";
    public const string ModelUnavailable = "model_unavailable";
    public const string ModelError = "model_error";

    /// <summary>A turn reached one of its agent's <see cref="AgentLimits"/>; <see cref="TurnError.Limit"/> says which.</summary>
    public const string LimitExceeded = "limit_exceeded";
    /// <summary>The turn was cancelled (<c>POST /conversations/{id}/cancel</c>, or a message under <c>busyPolicy: interrupt</c>).</summary>
    public const string TurnCancelled = "turn_cancelled";
    /// <summary>No credentials, or credentials that are unknown, revoked, expired or forged (401).</summary>
    public const string Unauthorized = "unauthorized";
    /// <summary>The caller lacks a permission; the problem's <c>permission</c> names it (403).</summary>
    public const string Forbidden = "forbidden";
    public const string ApiKeyNotFound = "api_key_not_found";
    /// <summary>A browser sent the request for a page of an origin <c>Cors:AllowedOrigins</c> does not list (403).</summary>
    public const string OriginNotAllowed = "origin_not_allowed";

    /// <summary>The caller sent more requests than <c>Limits:RequestsPerMinute</c> allows (429, with <c>Retry-After</c>).</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>The user already runs <c>Limits:MaxConcurrentTurnsPerUser</c> turns; the message was not taken (429).</summary>
    public const string TooManyTurns = "too_many_turns";

    /// <summary>The tenant's models used <c>Limits:TenantTokensPerDay</c> tokens today (UTC); no turn starts until tomorrow (429).</summary>
    public const string QuotaExceeded = "quota_exceeded";
    public const string StorageUnavailable = "storage_unavailable";
    public const string InternalError = "internal_error";
}
