namespace OpenCode.Testing;

/// <summary>
/// What <see cref="FakeModelServer"/> answers to one chat-completions request: an assistant text,
/// one or more tool calls, or an OpenAI-style error. Immutable, so one instance may be scripted twice.
/// </summary>
public sealed class FakeReply
{
    private FakeReply(string? text, IReadOnlyList<FakeToolCall> calls, int errorStatus, string? errorMessage, TimeSpan delay, int stampedTokens = 0)
    {
        Content = text;
        StampedTokens = stampedTokens;
        Calls = calls;
        ErrorStatus = errorStatus;
        ErrorMessage = errorMessage;
        Delay = delay;
    }

    /// <summary>The assistant text; null for tool calls, errors and <see cref="Timestamps"/> replies.</summary>
    public string? Content { get; }

    /// <summary>The number of tokens of a <see cref="Timestamps"/> reply; 0 for the others.</summary>
    public int StampedTokens { get; }

    /// <summary>The tool calls; empty for text and errors.</summary>
    public IReadOnlyList<FakeToolCall> Calls { get; }

    /// <summary>The HTTP status of an error reply; 0 when this is not an error.</summary>
    public int ErrorStatus { get; }

    public string? ErrorMessage { get; }

    /// <summary>Latency added to <see cref="FakeModelServer.Latency"/> for this reply only.</summary>
    public TimeSpan Delay { get; }

    public bool IsError => ErrorStatus != 0;

    public static FakeReply Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(text, [], 0, null, TimeSpan.Zero);
    }

    /// <summary>
    /// A text of <paramref name="tokens"/> tokens, each <c>" &lt;timestamp&gt;"</c>: the server's
    /// <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when it sent that token. A client on the same machine
    /// reads each token's delivery latency with <see cref="System.Diagnostics.Stopwatch.GetElapsedTime(long)"/>
    /// (CLOCK_MONOTONIC on Linux: one clock for every process).
    /// </summary>
    public static FakeReply Timestamps(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        return new(null, [], 0, null, TimeSpan.Zero, tokens);
    }

    public static FakeReply ToolCall(string toolName, string argumentsJson) =>
        ToolCalls(new FakeToolCall(toolName, argumentsJson));

    /// <summary>Several tool calls in one assistant message (parallel tool calling).</summary>
    public static FakeReply ToolCalls(params FakeToolCall[] calls)
    {
        ArgumentOutOfRangeException.ThrowIfZero(calls.Length);
        return new(null, [.. calls], 0, null, TimeSpan.Zero);
    }

    /// <summary>An error answered with <paramref name="httpStatus"/> and an OpenAI error body.</summary>
    public static FakeReply Error(int httpStatus, string message)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(httpStatus, 400);
        return new(null, [], httpStatus, message, TimeSpan.Zero);
    }

    public FakeReply WithDelay(TimeSpan delay) => new(Content, Calls, ErrorStatus, ErrorMessage, delay, StampedTokens);
}
