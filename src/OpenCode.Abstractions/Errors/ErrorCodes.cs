namespace OpenCode.Abstractions;

/// <summary>The stable error codes of the API (the <c>code</c> of a problem-details answer or a failed turn).</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string AgentNotFound = "agent_not_found";
    public const string AgentExists = "agent_exists";
    public const string ConversationNotFound = "conversation_not_found";
    public const string ConversationExists = "conversation_exists";
    public const string ConversationBusy = "conversation_busy";
    public const string ModelUnavailable = "model_unavailable";
    public const string ModelError = "model_error";
    public const string MaxStepsExceeded = "max_steps_exceeded";
    public const string TurnTimeout = "turn_timeout";
    public const string StorageUnavailable = "storage_unavailable";
    public const string InternalError = "internal_error";
}
