namespace OpenCode.Gateway.Api.Models;

public sealed record CreateConversationRequest(string? AgentId, string? Message, Dictionary<string, string>? Metadata);
