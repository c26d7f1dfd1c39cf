using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>What one turn works on: the pinned agent version, the history it appends to, and how it checkpoints.</summary>
public sealed record TurnContext(
    string TurnId,
    AgentConfig Agent,
    ConversationHistory History,
    Func<Task> CheckpointAsync,
    Action<TokenUsage> RecordUsage);
