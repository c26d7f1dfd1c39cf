namespace OpenCode.Testing;

/// <summary>One message of a recorded request; <see cref="Content"/> joins the text parts of multi-part content.</summary>
public sealed record RecordedMessage(string Role, string? Content, string? ToolCallId = null);

/// <summary>A chat-completions request as <see cref="FakeModelServer"/> received it.</summary>
/// <param name="Model">The "model" field.</param>
/// <param name="Stream">Whether the client asked for SSE.</param>
/// <param name="Body">The raw JSON body.</param>
/// <param name="Messages">The "messages" in order.</param>
/// <param name="ToolNames">The function names offered in "tools".</param>
/// <param name="Authorization">The Authorization header, to check that credentials reach the model.</param>
public sealed record RecordedRequest(
    string Model,
    bool Stream,
    string Body,
    IReadOnlyList<RecordedMessage> Messages,
    IReadOnlyList<string> ToolNames,
    string? Authorization)
{
    /// <summary>The content of the last user message, or null when there is none.</summary>
    public string? LastUserMessage => Messages.LastOrDefault(m => m.Role == "user")?.Content;
}
