using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenCode.Abstractions;
using OpenCode.Gateway.Streaming;

namespace OpenCode.Gateway.Api;

public static class ConversationEventsApi
{
    public const string LastEventIdHeader = "Last-Event-ID";

    public static IEndpointRouteBuilder MapConversationEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/conversations/{conversationId}/events", StreamAsync).WithTags("Conversations").WithName("StreamConversationEvents")
            .WithSummary("Every event of the conversation as Server-Sent Events: those after Last-Event-ID (or ?after=<seq>), then live ones.");
        return app;
    }

    /// <summary>
    /// Resumes after <c>Last-Event-ID</c> when the client sent one (an <c>EventSource</c> reconnecting keeps the URL,
    /// so its <c>?after=</c> is the older position), else after <c>?after=</c>, else from the start.
    /// </summary>
    public static async Task<Results<ConversationEventStreamResult, ProblemHttpResult>> StreamAsync(
        string conversationId,
        string? after,
        [FromHeader(Name = LastEventIdHeader)] string? lastEventId,
        [AsParameters] ApiContext api,
        CancellationToken cancellationToken)
    {
        var conversation = ConversationsApi.Conversation(api, conversationId);
        var position = lastEventId is not null ? Seq(lastEventId, LastEventIdHeader) : after is not null ? Seq(after, "after") : 0;
        // Read what is there before the stream starts: an unknown conversation is still a 404 problem.
        var first = await conversation.ReadEventsAsync(position, TimeSpan.Zero, cancellationToken);
        return new ConversationEventStreamResult(conversation, conversationId, position, first: first);
    }

    private static long Seq(string value, string field) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? seq
            : throw new ValidationFailedException([new FieldError(field, "must be an event seq: a whole number, 0 or more")]);
}
