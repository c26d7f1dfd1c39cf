using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

public sealed class HistoryPageGrain(
    [PersistentState("historyPage", OpenCodeStorage.Name)] IPersistentState<List<ConversationMessage>> state)
    : PageGrain<ConversationMessage>(state), IHistoryPageGrain;
