namespace OpenCode.Abstractions;

/// <summary>
/// What a tool call came to. A tool that failed, timed out or whose server could not be reached gives
/// <see cref="IsError"/> with a reason in <see cref="Text"/>: that goes back to the model, and the turn goes on.
/// </summary>
/// <param name="Text">
/// The text content of the result, blocks joined by new lines; non-text content is summarised
/// (e.g. <c>[image image/png]</c>).
/// </param>
[GenerateSerializer, Immutable, Alias("OpenCode.McpToolResult")]
public sealed record McpToolResult([property: Id(0)] bool IsError, [property: Id(1)] string Text)
{
    public static McpToolResult Success(string text) => new(false, text);

    public static McpToolResult Error(string reason) => new(true, reason);
}
