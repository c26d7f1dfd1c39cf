using System.Text.Json;
using OpenCode.Abstractions;

namespace OpenCode.Integration.Tests.Streaming;

/// <summary>What a subscriber checks of one event it received: part of an event's <c>data</c> (SSE) or <c>params</c> (WebSocket), API.md Events.</summary>
public sealed record ReceivedEvent(long Seq, string Type, string? TurnId, string? Text)
{
    public bool IsTerminal => ConversationEventTypes.IsTerminal(Type);

    public static ReceivedEvent Parse(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<ReceivedEvent>(json, JsonSerializerOptions.Web) ?? throw new JsonException("null event");
}
