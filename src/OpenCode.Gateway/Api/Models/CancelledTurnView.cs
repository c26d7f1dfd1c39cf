using System.Text.Json.Serialization;

namespace OpenCode.Gateway.Api.Models;

/// <summary>The answer of a cancel: the id of the turn that was cancelled, or null when none was running.</summary>
public sealed record CancelledTurnView([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? TurnId);
