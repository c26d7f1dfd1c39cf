using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using OpenCode.Abstractions;
using OpenCode.Gateway.Security;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Gateway.Streaming;

/// <summary>
/// An SSE response of a conversation's events after a seq: every event, or only those of one turn until its terminal
/// event. The client going away ends the read, not the turn. A revoked key or an expired token ends the stream like
/// it closes a WebSocket: a comment saying why, then the end; the client's reconnect gets the <c>401</c>.
/// </summary>
public sealed partial class ConversationEventStreamResult(
    IConversationGrain conversation,
    string conversationId,
    long after,
    string? turnId = null,
    ConversationEventBatch? first = null) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => ServerSentEventWriter.ContentType;

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), [ServerSentEventWriter.ContentType]));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var options = httpContext.RequestServices.GetRequiredService<IOptions<StreamingOptions>>().Value;
        var logger = httpContext.RequestServices.GetRequiredService<ILogger<ConversationEventStreamResult>>();
        var aborted = httpContext.RequestAborted;
        var heartbeat = options.Heartbeat;
        var credentials = new CredentialsRecheck(
            Callers.Of(httpContext), httpContext.RequestServices.GetRequiredService<IGrainFactory>(), TimeProvider.System);
        try
        {
            using var sse = await ServerSentEventWriter.StartAsync(httpContext.Response, conversationId, options.RetryMilliseconds, aborted);
            var lastWrite = TimeProvider.System.GetTimestamp();
            await foreach (var batch in conversation.FollowAsync(after, heartbeat, first, aborted))
            {
                // Before the batch goes out: no event reaches a caller more than a check interval after its
                // credentials lapsed. An idle stream finds out at its next heartbeat.
                if (await credentials.LapsedAsync() is { } lapsed)
                {
                    sse.WriteComment("unauthorized: " + lapsed);
                    await sse.FlushAsync(aborted);
                    return;
                }

                var wrote = false;
                var ended = false;
                foreach (var e in batch.Events)
                {
                    if (turnId is not null && e.TurnId != turnId)
                    {
                        continue;
                    }

                    sse.Write(e);
                    wrote = true;
                    if (turnId is not null && e.IsTerminal)
                    {
                        ended = true;
                        break;
                    }
                }

                // A read that timed out is a heartbeat's worth of silence; events of other turns keep the log busy
                // without reaching a turn's stream, which needs heartbeats too.
                if (!wrote && (batch.Events.Count == 0 || TimeProvider.System.GetElapsedTime(lastWrite) >= heartbeat))
                {
                    sse.WriteHeartbeat();
                    wrote = true;
                }

                if (wrote)
                {
                    await sse.FlushAsync(aborted);
                    lastWrite = TimeProvider.System.GetTimestamp();
                }

                if (ended)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client left; the turn goes on in the grain.
        }
        catch (Exception ex) when (httpContext.Response.HasStarted)
        {
            // Too late for a problem answer: break the stream so the client knows to resume from its last id.
            LogStreamBroken(logger, MaskedException.From(ex), conversationId);
            httpContext.Abort();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The event stream of conversation {ConversationId} broke off")]
    private static partial void LogStreamBroken(ILogger logger, Exception exception, string conversationId);
}
