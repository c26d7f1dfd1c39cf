using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

public sealed class ConversationDirectoryPageGrain(
    [PersistentState("conversationDirectoryPage", OpenCodeStorage.Name)] IPersistentState<List<ConversationSummary>> state)
    : PageGrain<ConversationSummary>(state), IConversationDirectoryPageGrain;
