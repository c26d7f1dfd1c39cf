namespace OpenCode.Benchmarks;

/// <summary>One blocking turn through the gateway, always in the same conversation (unlike <see cref="GatewayTurn"/>'s pool).</summary>
public sealed class FixedConversationTurn(HttpClient http, Uri gateway, string conversationId)
{
    private readonly Uri _messages = new(gateway, $"/conversations/{conversationId}/messages");
    private int _n;

    public Task<TurnResult> RunAsync() => MessagePost.TimedAsync(http, _messages, Interlocked.Increment(ref _n));
}
