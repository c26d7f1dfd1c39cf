using System.Text.Json.Serialization;
using OpenCode.Abstractions;

namespace OpenCode.Gateway.Api.Models;

public sealed record ConversationView(
    string Id,
    string AgentId,
    int AgentVersion,
    string Status,
    DateTimeOffset CreatedAt,
    long MessageCount,
    TokenUsage Usage,
    IReadOnlyDictionary<string, string>? Metadata,
    IReadOnlyDictionary<string, ToolPermission>? Permissions,
    IReadOnlyList<string>? AlwaysAllowedTools)
{
    /// <summary>Set when the conversation was created with a first message: that message and the reply.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<MessageView>? Messages { get; init; }

    /// <summary>Set when the first message's turn failed: the conversation exists and stays usable.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TurnError? Error { get; init; }

    /// <summary>Set when the first message's turn paused: the approvals it waits for.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ApprovalView>? Approvals { get; init; }

    public static ConversationView From(ConversationInfo info) => new(
        info.Id, info.AgentId, info.AgentVersion, info.Status, info.CreatedAt, info.MessageCount, info.Usage, info.Metadata,
        info.Permissions, info.AlwaysAllowedTools);
}
