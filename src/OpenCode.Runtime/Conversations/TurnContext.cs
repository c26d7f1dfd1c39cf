using OpenCode.Abstractions;
using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// What one turn works on: the pinned agent version, the turn's durable progress, the history it appends to,
/// the tool permissions in force (agent and conversation, plus tools approved for good) and how it checkpoints.
/// </summary>
public sealed record TurnContext(
    string AgentKey,
    AgentConfig Agent,
    ActiveTurn Turn,
    ConversationHistory History,
    ToolPermissions Permissions,
    IReadOnlySet<string> AlwaysAllowed,
    Func<Task> CheckpointAsync,
    Action<TokenUsage> RecordUsage)
{
    public string TurnId => Turn.TurnId;
}
