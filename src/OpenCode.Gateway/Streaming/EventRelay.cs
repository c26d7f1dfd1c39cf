using OpenCode.Abstractions;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Gateway.Streaming;

/// <summary>
/// Relays a conversation's events onto one socket: all of them (a subscription) or one turn's until its terminal
/// event. Created cold so that the response announcing it is queued first; started with <see cref="Start"/>.
/// </summary>
public sealed partial class EventRelay(
    IConversationGrain conversation,
    string conversationId,
    long after,
    ConversationEventBatch? first,
    string? turnId,
    Func<ConversationEvent, bool> alreadySent,
    WebSocketSendQueue send,
    TimeSpan wait,
    ILogger logger,
    CancellationToken closing)
{
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(closing);
    private Task _running = Task.CompletedTask;
    private bool _stopped;
    private long _sentThrough = -1;

    /// <summary>The turn this relay follows; null for a subscription to every event.</summary>
    public string? TurnId => turnId;

    /// <summary>The seq of the last event queued for the socket (-1: none yet): what a later relay must not send again.</summary>
    public long SentThrough => Volatile.Read(ref _sentThrough);

    public bool IsCompleted => _running.IsCompleted;

    public void Start() => _running = RunAsync();

    /// <summary>Stops relaying and waits until it has: <see cref="SentThrough"/> is final afterwards.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            await foreach (var batch in conversation.FollowAsync(after, wait, first, token))
            {
                foreach (var e in batch.Events)
                {
                    if ((turnId is not null && e.TurnId != turnId) || alreadySent(e))
                    {
                        continue;
                    }

                    if (!await send.SendAsync(WebSocketEnvelope.Event(conversationId, e), token))
                    {
                        return;
                    }

                    Volatile.Write(ref _sentThrough, e.Seq);
                    if (turnId is not null && e.IsTerminal)
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Unsubscribed, replaced or the socket closed; the conversation goes on.
        }
        catch (Exception ex)
        {
            LogRelayFailed(logger, MaskedException.From(ex), conversationId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relaying the events of conversation {ConversationId} to a WebSocket failed")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception, string conversationId);
}
