using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

public sealed class EventPageGrain(
    [PersistentState("eventPage", OpenCodeStorage.Name)] IPersistentState<List<ConversationEvent>> state)
    : PageGrain<ConversationEvent>(state), IEventPageGrain;
