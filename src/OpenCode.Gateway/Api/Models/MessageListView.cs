namespace OpenCode.Gateway.Api.Models;

/// <summary>A page of history, oldest first; <c>next</c> is the <c>before</c> cursor of the older page.</summary>
public sealed record MessageListView(IReadOnlyList<MessageView> Messages, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? Next);
