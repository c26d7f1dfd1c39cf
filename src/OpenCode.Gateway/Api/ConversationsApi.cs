using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenCode.Abstractions;
using Microsoft.AspNetCore.Mvc;
using OpenCode.Gateway.Api.Models;
using OpenCode.Gateway.Limits;
using OpenCode.Gateway.Security;
using OpenCode.Gateway.Streaming;
using OpenCode.Runtime;
using OpenCode.Runtime.Agents;

namespace OpenCode.Gateway.Api;

public static class ConversationsApi
{
    public const int DefaultPageLimit = 50;
    public const int MaxPageLimit = 200;

    public static IEndpointRouteBuilder MapConversationsApi(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/conversations").WithTags("Conversations");
        conversations.MapPost("/", CreateAsync).WithName("CreateConversation").WithSummary("Start a conversation, optionally with a first message.");
        conversations.MapGet("/", ListAsync).WithName("ListConversations").WithSummary("List the caller's conversations, newest first.");
        conversations.MapGet("/{conversationId}", GetAsync).WithName("GetConversation").WithSummary("Get a conversation's status and totals.");
        conversations.MapPatch("/{conversationId}", UpdateAsync).WithName("UpdateConversation")
            .WithSummary("Set the conversation's tool permissions ({\"permissions\": {...}}), which take precedence over the agent's.");
        conversations.MapDelete("/{conversationId}", DeleteAsync).WithName("DeleteConversation").WithSummary("Delete a conversation and its history.");
        conversations.MapPost("/{conversationId}/messages", SendAsync).WithName("SendMessage")
            .WithSummary("Send a message and wait for the agent's reply (202 when the turn pauses for tool approvals); with Accept: text/event-stream, stream the turn's events.");
        conversations.MapPost("/{conversationId}/cancel", CancelAsync).WithName("CancelTurn")
            .WithSummary("Cancel the running turn (and queued messages); it ends with turn.cancelled. turnId is null when nothing ran.");
        conversations.MapGet("/{conversationId}/messages", ListMessagesAsync).WithName("ListMessages").WithSummary("Page through the history, newest page first, oldest first within a page.");
        conversations.MapGet("/{conversationId}/approvals", ListApprovalsAsync).WithName("ListApprovals")
            .WithSummary("List the tool calls the paused turn waits to have approved.");
        conversations.MapPost("/{conversationId}/approvals/{approvalId}", AnswerAsync).WithName("AnswerApproval")
            .WithSummary("Answer an approval (once, always or reject) and wait for the turn's reply (202 when it pauses again).");
        return app;
    }

    public static async Task<Results<Created<ConversationView>, ProblemHttpResult>> CreateAsync(
        CreateConversationRequest request, [AsParameters] ApiContext api, IConfiguration configuration, RequestLimits limits, CancellationToken cancellationToken)
    {
        var view = await CreateConversationAsync(request, api, configuration, limits, cancellationToken);
        return TypedResults.Created($"/conversations/{view.Id}", view);
    }

    /// <summary>Creates a conversation and runs its first message when there is one (HTTP and WebSocket).</summary>
    public static async Task<ConversationView> CreateConversationAsync(
        CreateConversationRequest request, ApiContext api, IConfiguration configuration, RequestLimits limits, CancellationToken cancellationToken)
    {
        api.Demand(Permissions.AgentsUse);
        var agentId = request.AgentId ?? configuration["AGENT_ID"];
        if (string.IsNullOrWhiteSpace(agentId))
        {
            throw Invalid("agentId", "is required (no default agent is configured with AGENT_ID)");
        }

        if (request.Message is not null && string.IsNullOrWhiteSpace(request.Message))
        {
            throw Invalid("message", "must not be empty when given");
        }

        if (request.Message is not null)
        {
            limits.CheckMessage(request.Message, "message");
        }

        // The agent must be one the caller may use: a restricted one is as unknown to them as a missing one. Those
        // who manage agents may use every one, and the conversation itself finds a missing one: no look first.
        if (!api.Can(Permissions.AgentsWrite) && AgentConfigValidator.IsValidId(agentId) && await AgentsApi.VisibleAgentAsync(api, agentId) is null)
        {
            throw new OpenCodeException(ErrorCodes.AgentNotFound, $"Agent '{agentId}' was not found.");
        }

        var id = ConversationIds.New();
        var conversation = Conversation(api, id);
        var info = await conversation.CreateAsync(new NewConversation(agentId, request.Metadata));
        var view = ConversationView.From(info);
        if (request.Message is not null)
        {
            var outcome = await conversation.SendAsync(new NewMessage(request.Message), cancellationToken);
            view = ConversationView.From(await conversation.GetAsync() ?? info) with
            {
                Messages = outcome.Reply is null ? [MessageView.From(outcome.UserMessage)] : [MessageView.From(outcome.UserMessage), MessageView.From(outcome.Reply)],
                Error = outcome.Error,
                Approvals = outcome.Approvals?.Select(ApprovalView.From).ToList(),
            };
        }

        return view;
    }

    public static async Task<Results<Ok<ConversationListView>, ProblemHttpResult>> ListAsync(int? limit, string? cursor, [AsParameters] ApiContext api)
    {
        api.Demand(Permissions.ConversationsUse);
        if (limit is < 1 or > MaxPageLimit)
        {
            return Problems.Validation("limit", $"must be between 1 and {MaxPageLimit}");
        }

        var page = await api.Grains.GetGrain<IConversationDirectoryGrain>(GrainKeys.ConversationDirectory(api.Caller.Tenant, api.Caller.User))
            .ListAsync(cursor, limit ?? DefaultPageLimit);
        return TypedResults.Ok(new ConversationListView(page.Conversations, page.Next));
    }

    public static async Task<Results<Ok<ConversationView>, ProblemHttpResult>> GetAsync(string conversationId, [AsParameters] ApiContext api) =>
        await Conversation(api, conversationId).GetAsync() is { } info ? TypedResults.Ok(ConversationView.From(info)) : NotFound(conversationId);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string conversationId, [AsParameters] ApiContext api) =>
        await Conversation(api, conversationId).DeleteAsync() ? TypedResults.NoContent() : NotFound(conversationId);

    /// <summary>
    /// Only <c>permissions</c> can be changed: the object replaces the conversation's permissions (<c>{}</c> or
    /// <c>null</c> clears them). Malformed permissions are validation failures naming the field.
    /// </summary>
    public static async Task<Results<Ok<ConversationView>, ProblemHttpResult>> UpdateAsync(string conversationId, JsonNode? body, [AsParameters] ApiContext api)
    {
        var conversation = Conversation(api, conversationId);
        if (body is not JsonObject fields)
        {
            return Problems.Validation("body", "must be an object such as {\"permissions\": {\"tool_*\": \"ask\"}}");
        }

        if (fields.Select(f => f.Key).FirstOrDefault(k => k != "permissions") is { } unknown)
        {
            return Problems.Validation(unknown, "is not a field that can be changed; only 'permissions' can");
        }

        if (!fields.TryGetPropertyValue("permissions", out var node))
        {
            return await conversation.GetAsync() is { } current ? TypedResults.Ok(ConversationView.From(current)) : NotFound(conversationId);
        }

        Dictionary<string, ToolPermission>? permissions;
        try
        {
            permissions = node?.Deserialize<Dictionary<string, ToolPermission>>(OpenCodeJson.Options);
        }
        catch (JsonException ex)
        {
            return Problems.Validation("permissions" + (ex.Path?.TrimStart('$') ?? ""), ex.Message);
        }

        return TypedResults.Ok(ConversationView.From(await conversation.SetPermissionsAsync(permissions)));
    }

    /// <summary>
    /// The reply when the turn ends; with <c>Accept: text/event-stream</c>, the turn's events as they happen (errors
    /// before the stream starts are still problems). A repeat with the same <c>Idempotency-Key</c> runs nothing again.
    /// </summary>
    public static async Task<Results<Ok<MessageView>, Accepted<WaitingApprovalView>, ConversationEventStreamResult, ProblemHttpResult>> SendAsync(
        string conversationId,
        SendMessageRequest request,
        [FromHeader(Name = IdempotencyKeys.Header)] string? idempotencyKey,
        [AsParameters] ApiContext api,
        RequestLimits limits,
        CancellationToken cancellationToken)
    {
        var conversation = Conversation(api, conversationId);
        var message = Message(request.Message, "message", idempotencyKey, IdempotencyKeys.Header, limits);
        if (AcceptsEventStream(api.Http.Request))
        {
            var turn = await conversation.StartAsync(message);
            return new ConversationEventStreamResult(conversation, conversationId, turn.AfterSeq, turn.TurnId);
        }

        return TurnResult(conversationId, await conversation.SendAsync(message, cancellationToken)).Result switch
        {
            Ok<MessageView> reply => reply,
            Accepted<WaitingApprovalView> waiting => waiting,
            var problem => (ProblemHttpResult)problem,
        };
    }

    public static async Task<Results<Accepted<CancelledTurnView>, ProblemHttpResult>> CancelAsync(string conversationId, [AsParameters] ApiContext api) =>
        TypedResults.Accepted((string?)null, new CancelledTurnView(await CancelTurnAsync(api, conversationId)));

    /// <summary>The id of the turn that was cancelled, or null when none ran (HTTP and WebSocket).</summary>
    public static async Task<string?> CancelTurnAsync(ApiContext api, string conversationId)
    {
        var conversation = Conversation(api, conversationId);
        // A cancel of an unknown conversation must not create its grain's state: look first.
        if (await conversation.GetAsync() is null)
        {
            throw new OpenCodeException(ErrorCodes.ConversationNotFound, $"Conversation '{conversationId}' was not found.");
        }

        return await conversation.CancelAsync();
    }

    /// <summary>
    /// A user message to send: its text must not be empty nor over <c>Limits:MaxMessageChars</c>, its idempotency key
    /// well formed (HTTP and WebSocket).
    /// </summary>
    public static NewMessage Message(string? text, string textField, string? idempotencyKey, string keyField, RequestLimits limits)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Invalid(textField, "is required and must not be empty");
        }

        limits.CheckMessage(text, textField);

        return new NewMessage(text, IdempotencyKeys.Validate(idempotencyKey, keyField));
    }

    public static async Task<Results<Ok<ApprovalListView>, ProblemHttpResult>> ListApprovalsAsync(string conversationId, [AsParameters] ApiContext api) =>
        TypedResults.Ok(new ApprovalListView([.. (await Conversation(api, conversationId).GetApprovalsAsync()).Select(ApprovalView.From)]));

    public static async Task<Results<Ok<MessageView>, Accepted<WaitingApprovalView>, ProblemHttpResult>> AnswerAsync(
        string conversationId,
        string approvalId,
        AnswerApprovalRequest request,
        [AsParameters] ApiContext api,
        AuditTrail audit,
        CancellationToken cancellationToken) =>
        TurnResult(conversationId, await AnswerApprovalAsync(api, audit, conversationId, approvalId, request.Decision, cancellationToken));

    /// <summary>
    /// Answers an approval and waits for the turn to end or pause again (HTTP and WebSocket). The answer is audited
    /// once the conversation took it, at the time it was given, so it comes before the call it let run.
    /// </summary>
    public static async Task<TurnOutcome> AnswerApprovalAsync(
        ApiContext api, AuditTrail audit, string conversationId, string approvalId, string? decision, CancellationToken cancellationToken)
    {
        var conversation = Conversation(api, conversationId);
        if (!ApprovalDecisions.IsAnswer(decision))
        {
            throw Invalid("decision", "must be once, always or reject");
        }

        var answeredAt = audit.Now;
        TurnOutcome outcome;
        try
        {
            outcome = await conversation.AnswerApprovalAsync(approvalId, decision!, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller went away while the turn went on: the conversation takes an answer before it waits for the turn.
            await audit.ApprovalAnsweredAsync(api.Caller, conversationId, approvalId, decision!, answeredAt);
            throw;
        }

        await audit.ApprovalAnsweredAsync(api.Caller, conversationId, approvalId, decision!, answeredAt);
        return outcome;
    }

    public static async Task<Results<Ok<MessageListView>, ProblemHttpResult>> ListMessagesAsync(
        string conversationId, string? before, int? limit, [AsParameters] ApiContext api)
    {
        // The permission before the query: a caller without it learns that, not what its query lacks.
        var conversation = Conversation(api, conversationId);
        if (limit is < 1 or > MaxPageLimit)
        {
            return Problems.Validation("limit", $"must be between 1 and {MaxPageLimit}");
        }

        var page = await conversation.GetMessagesAsync(before, limit ?? DefaultPageLimit);
        return TypedResults.Ok(new MessageListView([.. page.Messages.Select(MessageView.From)], page.Next));
    }

    /// <summary>The reply (200), the approvals the turn waits for (202), or why the turn failed (a problem with the turn's ids).</summary>
    private static Results<Ok<MessageView>, Accepted<WaitingApprovalView>, ProblemHttpResult> TurnResult(string conversationId, TurnOutcome outcome)
    {
        if (outcome.Error is { } error)
        {
            var extensions = new Dictionary<string, object?>
            {
                ["conversationId"] = conversationId,
                ["turnId"] = outcome.TurnId,
                ["userMessageId"] = outcome.UserMessage.Id,
            };
            if (error.Limit is not null)
            {
                extensions["limit"] = error.Limit;
                extensions["reached"] = error.Reached;
            }

            return Problems.For(error.Code, error.Message, extensions);
        }

        if (outcome.IsWaitingForApproval)
        {
            return TypedResults.Accepted($"/conversations/{conversationId}/approvals", WaitingApprovalView.From(outcome));
        }

        return TypedResults.Ok(MessageView.From(outcome.Reply!));
    }

    /// <summary>
    /// The caller's conversation with this id. Tenant and owner are part of its key, so another user's id names a
    /// conversation that does not exist: not found, like a missing one. An id this server never hands out is not
    /// looked up (no grain is activated for it). Every conversation endpoint and WebSocket method comes here.
    /// </summary>
    public static IConversationGrain Conversation(ApiContext api, string conversationId)
    {
        api.Demand(Permissions.ConversationsUse);
        return ConversationIds.IsWellFormed(conversationId)
            ? api.Grains.GetGrain<IConversationGrain>(GrainKeys.Conversation(api.Caller.Tenant, api.Caller.User, conversationId))
            : throw new OpenCodeException(ErrorCodes.ConversationNotFound, $"Conversation '{conversationId}' was not found.");
    }

    /// <summary>Whether the client asked for the turn as an event stream rather than one JSON answer.</summary>
    private static bool AcceptsEventStream(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(ServerSentEventWriter.ContentType, StringComparison.OrdinalIgnoreCase));

    private static ValidationFailedException Invalid(string field, string message) => new([new FieldError(field, message)]);

    private static ProblemHttpResult NotFound(string conversationId) =>
        Problems.For(ErrorCodes.ConversationNotFound, $"Conversation '{conversationId}' was not found.");
}
