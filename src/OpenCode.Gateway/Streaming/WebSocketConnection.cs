using System.Buffers;
using System.Net.WebSockets;
using System.Reflection;
using System.Text.Json;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api;
using OpenCode.Gateway.Api.Models;
using OpenCode.Gateway.Limits;
using OpenCode.Gateway.Security;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Gateway.Streaming;

/// <summary>
/// One <c>/ws</c> client: reads request frames, answers them (several at a time, in any order, matched by id) and
/// relays the events of the conversations it follows. A bad frame gets an error response and the socket stays open;
/// only an oversized frame (1009), text that is not UTF-8 (1007, by the socket itself) or a client too slow to read
/// what it asked for (1008) closes it. Each request takes
/// from its caller's request rate like an HTTP request does; over it, the request gets a <c>rate_limited</c> error.
/// </summary>
public sealed partial class WebSocketConnection
{
    public const string ServerName = "OpenCode.Orleans";

    /// <summary>How long a closing socket waits for the client's close frame (or for a stuck send) before it is dropped.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private static readonly string ServerVersion =
        typeof(WebSocketConnection).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static readonly string[] Methods =
    [
        "initialize", "agents.create", "agents.get", "agents.list", "conversations.create", "conversations.subscribe",
        "conversations.unsubscribe", "conversations.cancel", "messages.send", "approvals.reply",
    ];

    private static readonly string[] Events =
    [
        ConversationEventTypes.TurnStarted, ConversationEventTypes.MessageDelta, ConversationEventTypes.ToolCallStarted,
        ConversationEventTypes.ToolApprovalRequested, ConversationEventTypes.ToolCallCompleted, ConversationEventTypes.MessageCompleted,
        ConversationEventTypes.TurnCompleted, ConversationEventTypes.TurnFailed, ConversationEventTypes.TurnCancelled,
    ];

    private readonly WebSocket _socket;
    private readonly ApiContext _api;
    private readonly AuditTrail _audit;
    private readonly IConfiguration _configuration;
    private readonly RequestLimits _limits;
    private readonly WebSocketStreamingOptions _options;
    private readonly TimeSpan _wait;
    private readonly ILogger _logger;
    private readonly WebSocketSendQueue _send;
    private readonly CancellationTokenSource _closing;
    private readonly ConversationSubscriptions _subscriptions;
    private readonly SemaphoreSlim _requestSlots;

    public WebSocketConnection(
        WebSocket socket, ApiContext api, AuditTrail audit, IConfiguration configuration, StreamingOptions options, RequestLimits limits, ILogger logger)
    {
        _socket = socket;
        _api = api;
        _audit = audit;
        _configuration = configuration;
        _limits = limits;
        _options = options.WebSocket;
        _wait = options.Heartbeat;
        _logger = logger;
        _send = new WebSocketSendQueue(socket, _options);
        _closing = CancellationTokenSource.CreateLinkedTokenSource(api.Http.RequestAborted);
        _subscriptions = new ConversationSubscriptions(_send, _wait, logger, _closing.Token);
        _requestSlots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentRequests));
    }

    public async Task RunAsync()
    {
        var aborted = _api.Http.RequestAborted;
        var writing = _send.RunAsync(aborted);
        var receiving = ReceiveAsync(aborted);
        var watching = WatchCredentialsAsync(_closing.Token);
        await Task.WhenAny(writing, receiving, watching);

        // Either side ending ends the connection: the writer sends the close frame (if it still can), the reader
        // waits for the client's.
        _send.Close(WebSocketCloseStatus.NormalClosure, "");
        var both = Task.WhenAll(writing, receiving);
        if (await Task.WhenAny(both, Task.Delay(CloseTimeout, CancellationToken.None)) != both)
        {
            _socket.Abort();
        }

        await both;
        await _closing.CancelAsync();
        await _subscriptions.DisposeAsync();
    }

    private async Task ReceiveAsync(CancellationToken aborted)
    {
        var message = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                message.ResetWrittenCount();
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await _socket.ReceiveAsync(message.GetMemory(4096), aborted);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Advance(received.Count);
                    if (message.WrittenCount > _options.MaxMessageBytes)
                    {
                        _send.Close(WebSocketCloseStatus.MessageTooBig, $"message larger than {_options.MaxMessageBytes} bytes");
                        await DrainUntilCloseAsync(aborted);
                        return;
                    }
                }
                while (!received.EndOfMessage);

                if (_send.IsClosing)
                {
                    continue;
                }

                if (received.MessageType == WebSocketMessageType.Binary)
                {
                    await _send.SendAsync(WebSocketEnvelope.Error(null, JsonRpcErrorCodes.InvalidRequest, "Frames are JSON text, not binary."), aborted);
                    continue;
                }

                // At most MaxConcurrentRequests at a time: past that the socket is not read, and the client waits.
                await _requestSlots.WaitAsync(aborted);
                _ = HandleAsync(message.WrittenMemory.ToArray());
            }
        }
        catch (WebSocketException ex) when (ex.WebSocketErrorCode == WebSocketError.Faulted && _socket.State == WebSocketState.Aborted && !aborted.IsCancellationRequested)
        {
            // The socket failed the connection over what the client sent (text that is not UTF-8: 1007; a protocol
            // error: 1002) and sent its close frame; a client that just went away is ConnectionClosedPrematurely. Ending the request now would reset the connection before the
            // client read that frame: give it until it closes, as after any close.
            await Task.Delay(CloseTimeout, aborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away without a close frame.
        }
    }

    /// <summary>Closes the socket (1008) once its caller's key is revoked or token expires, even while it only listens.</summary>
    private async Task WatchCredentialsAsync(CancellationToken closing)
    {
        var caller = _api.Caller;
        if (!CallerCredentials.CanLapse(caller))
        {
            await Task.Delay(Timeout.Infinite, closing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return;
        }

        try
        {
            string? lapsed;
            while ((lapsed = await CallerCredentials.LapsedAsync(caller, _api.Grains, TimeProvider.System)) is null)
            {
                await Task.Delay(CallerCredentials.CheckInterval, closing);
            }

            CloseForPolicy(lapsed);
        }
        catch (OperationCanceledException)
        {
            // The connection ended first.
        }
    }

    private void CloseForPolicy(string reason) => _send.Close(WebSocketCloseStatus.PolicyViolation, reason);

    /// <summary>After refusing a frame, reads (and drops) what the client still sends until its close frame.</summary>
    private async Task DrainUntilCloseAsync(CancellationToken aborted)
    {
        var scratch = new byte[4096];
        while ((await _socket.ReceiveAsync(scratch.AsMemory(), aborted)).MessageType != WebSocketMessageType.Close)
        {
        }
    }

    private async Task HandleAsync(byte[] frame)
    {
        JsonElement? id = null;
        try
        {
            var request = WebSocketRequest.Parse(frame, out id);
            if (CallerCredentials.CanLapse(_api.Caller) && await CallerCredentials.LapsedAsync(_api.Caller, _api.Grains, TimeProvider.System) is { } lapsed)
            {
                CloseForPolicy(lapsed);
                return;
            }

            _limits.TakeRequest(_api.Caller);
            await AnswerAsync(request);
        }
        catch (JsonRpcException ex)
        {
            await _send.SendAsync(WebSocketEnvelope.Error(id, ex.Code, ex.Message), _closing.Token);
        }
        catch (ValidationFailedException ex)
        {
            await _send.SendAsync(WebSocketEnvelope.Error(id, JsonRpcErrorCodes.InvalidParams, ex.Message, ex.Code, ex.Errors), _closing.Token);
        }
        catch (MissingPermissionException ex)
        {
            await _send.SendAsync(WebSocketEnvelope.Error(id, JsonRpcErrorCodes.For(ex.Code), ex.Message, ex.Code, permission: ex.Permission), _closing.Token);
        }
        catch (OpenCodeException ex)
        {
            await _send.SendAsync(WebSocketEnvelope.Error(id, JsonRpcErrorCodes.For(ex.Code), ex.Message, ex.Code), _closing.Token);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The socket closed while the request ran.
        }
        catch (Exception ex)
        {
            LogRequestFailed(_logger, ex.ToString());
            await _send.SendAsync(WebSocketEnvelope.Error(id, JsonRpcErrorCodes.InternalError, "The server failed to handle the request.", ErrorCodes.InternalError), _closing.Token);
        }
        finally
        {
            _requestSlots.Release();
        }
    }

    /// <summary>Queues the response; a relay the request set up starts after it, so its events follow the response.</summary>
    private async Task AnswerAsync(WebSocketRequest request)
    {
        var (result, relay) = await InvokeAsync(request, _closing.Token);
        await _send.SendAsync(WebSocketEnvelope.Response(request.Id, result), _closing.Token);
        relay?.Start();
    }

    private async Task<(object? Result, EventRelay? Relay)> InvokeAsync(WebSocketRequest request, CancellationToken cancellationToken)
    {
        // Before the params are read: a caller who may not call the method learns that, not what its params lack.
        if (PermissionOf(request.Method) is { } needed)
        {
            _api.Demand(needed);
        }

        switch (request.Method)
        {
            case "initialize":
                request.ParamsNode();
                return (new
                {
                    ServerInfo = new { Name = ServerName, Version = ServerVersion },
                    Capabilities = new { Methods, Events },
                }, null);
            case "agents.create":
                return (await AgentsApi.CreateAgentAsync(request.ParamsNode(), "params", _api, _audit), null);
            case "agents.get":
                return (await AgentsApi.GetAgentAsync(request.RequiredString("agentId"), _api), null);
            case "agents.list":
                return (await AgentsApi.ListAgentsAsync(_api), null);
            case "conversations.create":
                return (await ConversationsApi.CreateConversationAsync(request.Params<CreateConversationRequest>(), _api, _configuration, _limits, cancellationToken), null);
            case "conversations.subscribe":
                return await SubscribeAsync(request, cancellationToken);
            case "conversations.unsubscribe":
                var unsubscribed = request.RequiredString("conversationId");
                await _subscriptions.UnsubscribeAsync(unsubscribed);
                return (new { ConversationId = unsubscribed, Subscribed = false }, null);
            case "conversations.cancel":
                return (new CancelledTurnView(await ConversationsApi.CancelTurnAsync(_api, request.RequiredString("conversationId"))), null);
            case "messages.send":
                return await SendMessageAsync(request);
            case "approvals.reply":
                return (await ReplyAsync(request, cancellationToken), null);
            default:
                throw new JsonRpcException(JsonRpcErrorCodes.MethodNotFound, $"Unknown method '{request.Method}'.");
        }
    }

    /// <summary>
    /// The permission a method needs (the same as its HTTP route's); the handlers check it again where they are shared
    /// with HTTP. <c>conversations.unsubscribe</c> only stops this socket's relays, but like every conversation method
    /// it needs <c>conversations:use</c>.
    /// </summary>
    private static Permission? PermissionOf(string method) => method switch
    {
        "agents.create" => Permissions.AgentsWrite,
        "agents.get" or "agents.list" => Permissions.AgentsRead,
        "conversations.create" => Permissions.AgentsUse,
        "conversations.subscribe" or "conversations.unsubscribe" or "conversations.cancel" or "messages.send" or "approvals.reply" => Permissions.ConversationsUse,
        _ => null,
    };

    private async Task<(object?, EventRelay?)> SubscribeAsync(WebSocketRequest request, CancellationToken cancellationToken)
    {
        var conversationId = request.RequiredString("conversationId");
        var after = request.OptionalSeq("after") ?? 0;
        var conversation = ConversationsApi.Conversation(_api, conversationId);
        // Read first: an unknown conversation is an error response, not a silent subscription.
        var first = await conversation.ReadEventsAsync(after, TimeSpan.Zero, cancellationToken);
        var relay = await _subscriptions.SubscribeAsync(conversation, conversationId, after, first);
        return (new { ConversationId = conversationId, Subscribed = true, After = after }, relay);
    }

    /// <summary>Starts the turn and answers at once; its events follow unless a subscription already relays them.</summary>
    private async Task<(object?, EventRelay?)> SendMessageAsync(WebSocketRequest request)
    {
        var conversationId = request.RequiredString("conversationId");
        var conversation = ConversationsApi.Conversation(_api, conversationId);
        var message = ConversationsApi.Message(request.OptionalString("message"), "message", request.OptionalString("idempotencyKey"), "idempotencyKey", _limits);
        var turn = await conversation.StartAsync(message);
        var relay = await _subscriptions.FollowTurnAsync(conversation, conversationId, turn);
        return (new { MessageId = turn.UserMessageId, turn.TurnId }, relay);
    }

    /// <summary>Like <c>POST /conversations/{id}/approvals/{approvalId}</c>: the reply, the approvals it waits for next, or the turn's error.</summary>
    private async Task<object> ReplyAsync(WebSocketRequest request, CancellationToken cancellationToken)
    {
        var outcome = await ConversationsApi.AnswerApprovalAsync(
            _api, _audit, request.RequiredString("conversationId"), request.RequiredString("approvalId"), request.OptionalString("decision"), cancellationToken);
        if (outcome.Error is { } error)
        {
            throw new OpenCodeException(error.Code, error.Message);
        }

        return outcome.IsWaitingForApproval ? WaitingApprovalView.From(outcome) : MessageView.From(outcome.Reply!);
    }

    // The exception as classified text: its message may quote the request.
    [LoggerMessage(Level = LogLevel.Error, Message = "A WebSocket request failed unexpectedly: {Error}")]
    private static partial void LogRequestFailed(ILogger logger, [Pii] string error);
}
