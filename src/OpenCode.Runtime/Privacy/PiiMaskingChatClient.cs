using Microsoft.Extensions.AI;

namespace OpenCode.Runtime.Privacy;

/// <summary>
/// Masks personal data and secrets (<see cref="SensitiveText"/>) in the text that leaves for the model provider:
/// text parts of every message, string tool results, and the arguments of tool calls at any depth
/// (<see cref="SensitiveJson"/>). The caller's messages are never changed (the history keeps the original text); a
/// message is copied only when something in it is masked, and the list only when some message is. A
/// <see cref="MaskedChatMessage"/> was masked when it was made and passes as it is.
/// </summary>
public sealed class PiiMaskingChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(Masked(messages), options, cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(Masked(messages), options, cancellationToken);

    /// <summary><paramref name="messages"/> itself when nothing is masked.</summary>
    internal static IEnumerable<ChatMessage> Masked(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        List<ChatMessage>? masked = null;
        for (var i = 0; i < list.Count; i++)
        {
            var message = Masked(list[i]);
            if (masked is null && !ReferenceEquals(message, list[i]))
            {
                masked = new List<ChatMessage>(list.Count);
                for (var j = 0; j < i; j++)
                {
                    masked.Add(list[j]);
                }
            }

            masked?.Add(message);
        }

        return masked ?? list;
    }

    internal static ChatMessage Masked(ChatMessage message)
    {
        if (message is MaskedChatMessage)
        {
            return message;
        }

        var contents = message.Contents;
        List<AIContent>? masked = null;
        for (var i = 0; i < contents.Count; i++)
        {
            var content = Masked(contents[i]);
            if (masked is null && !ReferenceEquals(content, contents[i]))
            {
                masked = new List<AIContent>(contents.Count);
                for (var j = 0; j < i; j++)
                {
                    masked.Add(contents[j]);
                }
            }

            masked?.Add(content);
        }

        if (masked is null)
        {
            return message;
        }

        var copy = message.Clone();
        copy.Contents = masked;
        // A provider adapter sends a message's raw representation, when it has one, instead of its contents.
        copy.RawRepresentation = null;
        return copy;
    }

    private static AIContent Masked(AIContent content) => content switch
    {
        TextContent text when SensitiveText.MaskedOrNull(text.Text) is { } masked =>
            new TextContent(masked) { AdditionalProperties = text.AdditionalProperties, Annotations = text.Annotations },
        FunctionResultContent { Result: string result } function when SensitiveText.MaskedOrNull(result) is { } masked =>
            new FunctionResultContent(function.CallId, masked) { Exception = function.Exception, AdditionalProperties = function.AdditionalProperties },
        FunctionCallContent { Arguments: { Count: > 0 } arguments } call when Masked(arguments) is { } masked =>
            new FunctionCallContent(call.CallId, call.Name, masked) { AdditionalProperties = call.AdditionalProperties },
        _ => content,
    };

    /// <summary>A copy with the values masked at any depth (<see cref="SensitiveJson"/>), or null when none needs it.</summary>
    private static Dictionary<string, object?>? Masked(IDictionary<string, object?> arguments)
    {
        // The history's arguments are dictionaries: enumerated as such, they are read without allocating.
        if (arguments is Dictionary<string, object?> dictionary)
        {
            Dictionary<string, object?>? masked = null;
            foreach (var (name, value) in dictionary)
            {
                Mask(arguments, name, value, ref masked);
            }

            return masked;
        }
        else
        {
            Dictionary<string, object?>? masked = null;
            foreach (var (name, value) in arguments)
            {
                Mask(arguments, name, value, ref masked);
            }

            return masked;
        }
    }

    private static void Mask(IDictionary<string, object?> arguments, string name, object? value, ref Dictionary<string, object?>? masked)
    {
        if (SensitiveJson.Mask(name, value, pii: true) is { } maskedValue)
        {
            masked ??= new Dictionary<string, object?>(arguments);
            masked[name] = maskedValue;
        }
    }
}
