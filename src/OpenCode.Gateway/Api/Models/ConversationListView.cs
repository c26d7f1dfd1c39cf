using OpenCode.Abstractions;

namespace OpenCode.Gateway.Api.Models;

public sealed record ConversationListView(IReadOnlyList<ConversationSummary> Conversations, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? Next);
