using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api.Models;
using OpenCode.Runtime;

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
            .WithSummary("Send a message and wait for the agent's reply (202 when the turn pauses for tool approvals).");
        conversations.MapGet("/{conversationId}/messages", ListMessagesAsync).WithName("ListMessages").WithSummary("Page through the history, newest page first, oldest first within a page.");
        conversations.MapGet("/{conversationId}/approvals", ListApprovalsAsync).WithName("ListApprovals")
            .WithSummary("List the tool calls the paused turn waits to have approved.");
        conversations.MapPost("/{conversationId}/approvals/{approvalId}", AnswerApprovalAsync).WithName("AnswerApproval")
            .WithSummary("Answer an approval (once, always or reject) and wait for the turn's reply (202 when it pauses again).");
        return app;
    }

    public static async Task<Results<Created<ConversationView>, ProblemHttpResult>> CreateAsync(
        CreateConversationRequest request, [AsParameters] ApiContext api, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var agentId = request.AgentId ?? configuration["AGENT_ID"];
        if (string.IsNullOrWhiteSpace(agentId))
        {
            return Problems.Validation("agentId", "is required (no default agent is configured with AGENT_ID)");
        }

        if (request.Message is not null && string.IsNullOrWhiteSpace(request.Message))
        {
            return Problems.Validation("message", "must not be empty when given");
        }

        var id = ConversationIds.New();
        var conversation = Conversation(api, id);
        var info = await conversation.CreateAsync(new NewConversation(agentId, api.Caller.User, request.Metadata));
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

        return TypedResults.Created($"/conversations/{id}", view);
    }

    public static async Task<Results<Ok<ConversationListView>, ProblemHttpResult>> ListAsync(int? limit, string? cursor, [AsParameters] ApiContext api)
    {
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
        if (body is not JsonObject fields)
        {
            return Problems.Validation("body", "must be an object such as {\"permissions\": {\"tool_*\": \"ask\"}}");
        }

        if (fields.Select(f => f.Key).FirstOrDefault(k => k != "permissions") is { } unknown)
        {
            return Problems.Validation(unknown, "is not a field that can be changed; only 'permissions' can");
        }

        var conversation = Conversation(api, conversationId);
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

    public static async Task<Results<Ok<MessageView>, Accepted<WaitingApprovalView>, ProblemHttpResult>> SendAsync(
        string conversationId, SendMessageRequest request, [AsParameters] ApiContext api, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Message))
        {
            return Problems.Validation("message", "is required and must not be empty");
        }

        return TurnResult(conversationId, await Conversation(api, conversationId).SendAsync(new NewMessage(request.Message), cancellationToken));
    }

    public static async Task<Results<Ok<ApprovalListView>, ProblemHttpResult>> ListApprovalsAsync(string conversationId, [AsParameters] ApiContext api) =>
        TypedResults.Ok(new ApprovalListView([.. (await Conversation(api, conversationId).GetApprovalsAsync()).Select(ApprovalView.From)]));

    public static async Task<Results<Ok<MessageView>, Accepted<WaitingApprovalView>, ProblemHttpResult>> AnswerApprovalAsync(
        string conversationId, string approvalId, AnswerApprovalRequest request, [AsParameters] ApiContext api, CancellationToken cancellationToken)
    {
        if (!ApprovalDecisions.IsAnswer(request.Decision))
        {
            return Problems.Validation("decision", "must be once, always or reject");
        }

        return TurnResult(conversationId, await Conversation(api, conversationId).AnswerApprovalAsync(approvalId, request.Decision!, cancellationToken));
    }

    public static async Task<Results<Ok<MessageListView>, ProblemHttpResult>> ListMessagesAsync(
        string conversationId, string? before, int? limit, [AsParameters] ApiContext api)
    {
        if (limit is < 1 or > MaxPageLimit)
        {
            return Problems.Validation("limit", $"must be between 1 and {MaxPageLimit}");
        }

        var page = await Conversation(api, conversationId).GetMessagesAsync(before, limit ?? DefaultPageLimit);
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

    /// <summary>An id this server never hands out is not looked up (no grain is activated for it): it is simply not found.</summary>
    private static IConversationGrain Conversation(ApiContext api, string conversationId) => ConversationIds.IsWellFormed(conversationId)
        ? api.Grains.GetGrain<IConversationGrain>(GrainKeys.Conversation(api.Caller.Tenant, conversationId))
        : throw new OpenCodeException(ErrorCodes.ConversationNotFound, $"Conversation '{conversationId}' was not found.");

    private static ProblemHttpResult NotFound(string conversationId) =>
        Problems.For(ErrorCodes.ConversationNotFound, $"Conversation '{conversationId}' was not found.");
}
