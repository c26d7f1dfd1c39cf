using Microsoft.AspNetCore.Http.HttpResults;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api.Models;

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
        conversations.MapDelete("/{conversationId}", DeleteAsync).WithName("DeleteConversation").WithSummary("Delete a conversation and its history.");
        conversations.MapPost("/{conversationId}/messages", SendAsync).WithName("SendMessage").WithSummary("Send a message and wait for the agent's reply.");
        conversations.MapGet("/{conversationId}/messages", ListMessagesAsync).WithName("ListMessages").WithSummary("Page through the history, newest page first, oldest first within a page.");
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
            var outcome = await conversation.SendAsync(request.Message, cancellationToken);
            view = ConversationView.From(await conversation.GetAsync() ?? info) with
            {
                Messages = outcome.Reply is null ? [MessageView.From(outcome.UserMessage)] : [MessageView.From(outcome.UserMessage), MessageView.From(outcome.Reply)],
                Error = outcome.Error,
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

    public static async Task<Results<Ok<MessageView>, ProblemHttpResult>> SendAsync(
        string conversationId, SendMessageRequest request, [AsParameters] ApiContext api, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Message))
        {
            return Problems.Validation("message", "is required and must not be empty");
        }

        var outcome = await Conversation(api, conversationId).SendAsync(request.Message, cancellationToken);
        if (outcome.Error is { } error)
        {
            return Problems.For(error.Code, error.Message, new Dictionary<string, object?>
            {
                ["conversationId"] = conversationId,
                ["turnId"] = outcome.TurnId,
                ["userMessageId"] = outcome.UserMessage.Id,
            });
        }

        return TypedResults.Ok(MessageView.From(outcome.Reply!));
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

    /// <summary>An id this server never hands out is not looked up (no grain is activated for it): it is simply not found.</summary>
    private static IConversationGrain Conversation(ApiContext api, string conversationId) => ConversationIds.IsWellFormed(conversationId)
        ? api.Grains.GetGrain<IConversationGrain>(GrainKeys.Conversation(api.Caller.Tenant, conversationId))
        : throw new OpenCodeException(ErrorCodes.ConversationNotFound, $"Conversation '{conversationId}' was not found.");

    private static ProblemHttpResult NotFound(string conversationId) =>
        Problems.For(ErrorCodes.ConversationNotFound, $"Conversation '{conversationId}' was not found.");
}
