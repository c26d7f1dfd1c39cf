using OpenCode.Abstractions;
using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// What one turn works on: the pinned agent version, the turn's durable progress, the history it appends to,
/// the tool permissions in force (agent and conversation, plus tools approved for good), how it checkpoints, how
/// it records each model step's usage (answering why the turn may not call the model again, such as the tenant's
/// spent token budget), how it reports events (the conversation fills in seq and turn id) and whether the model's
/// reply is streamed (asked once per model step: someone may have started reading the conversation's events meanwhile).
/// </summary>
public sealed record TurnContext(
    string AgentKey,
    AgentConfig Agent,
    ActiveTurn Turn,
    ConversationHistory History,
    ToolPermissions Permissions,
    IReadOnlySet<string> AlwaysAllowed,
    Func<Task> CheckpointAsync,
    Func<TokenUsage, ValueTask<TurnError?>> RecordUsageAsync,
    Action<ConversationEvent> Emit,
    Func<bool> Streamed)
{
    public string TurnId => Turn.TurnId;
}
