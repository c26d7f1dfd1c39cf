using Microsoft.Extensions.AI;

namespace OpenCode.Runtime.Privacy;

/// <summary>
/// A model message whose text went through <see cref="SensitiveText"/> when it was mapped from the history. The
/// conversation keeps the mapping while the message stays in the context window, and
/// <see cref="PiiMaskingChatClient"/> passes it on as it is: a long context is scanned once, not at every step.
/// </summary>
public sealed class MaskedChatMessage : ChatMessage
{
    /// <summary>Trusts <paramref name="contents"/> to be masked: <see cref="From"/> is the way to make one.</summary>
    internal MaskedChatMessage(ChatRole role, IList<AIContent> contents)
        : base(role, contents)
    {
    }

    public static MaskedChatMessage From(ChatMessage message)
    {
        var masked = PiiMaskingChatClient.Masked(message);
        return new MaskedChatMessage(masked.Role, masked.Contents)
        {
            AuthorName = masked.AuthorName,
            MessageId = masked.MessageId,
            CreatedAt = masked.CreatedAt,
            AdditionalProperties = masked.AdditionalProperties,
        };
    }
}
