using Microsoft.Extensions.AI;
using OpenAI.Chat;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace OpenCode.Runtime.Models;

/// <summary>
/// The OpenAI SDK's form of a model message, made once and carried as its raw representation: the OpenAI adapter sends
/// a message's raw representation as it is, so a message that stays in the context window is not mapped (and its
/// parts allocated) again at every request. Providers other than OpenAI's ignore a raw representation not their own.
/// </summary>
internal static class OpenAIRequestMessages
{
    /// <summary>Whether <paramref name="provider"/>'s client is the OpenAI adapter.</summary>
    public static bool Apply(string? provider) =>
        ModelProviders.Canonical(provider) is ModelProviders.OpenAI or ModelProviders.OpenAICompatible;

    /// <summary>
    /// Gives <paramref name="message"/> its OpenAI form, made by the adapter's own mapping, when that is one message (a
    /// tool message with several results becomes several, and is mapped at each request instead).
    /// </summary>
    public static ChatMessage Attach(ChatMessage message)
    {
        using var mapped = new[] { message }.AsOpenAIChatMessages().GetEnumerator();
        if (mapped.MoveNext())
        {
            var only = mapped.Current;
            if (!mapped.MoveNext())
            {
                message.RawRepresentation = only;
            }
        }

        return message;
    }
}
