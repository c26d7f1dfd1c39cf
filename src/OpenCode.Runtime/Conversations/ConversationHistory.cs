using Microsoft.Extensions.AI;
using OpenCode.Abstractions;
using OpenCode.Runtime.Models;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// A conversation's messages across its head and its history pages. Appends go to the head; full pages
/// spill into <see cref="IHistoryPageGrain"/>s so a checkpoint writes a bounded amount at any length.
/// </summary>
/// <param name="maskForModels">Whether what the model sees of a message is masked (<c>Privacy:MaskPii</c>): once, when it is mapped.</param>
public sealed class ConversationHistory(ConversationState state, IGrainFactory grains, string conversationKey, bool maskForModels)
{
    public const int PageSize = 32;

    private const int MaxCachedPages = 64;

    private readonly Dictionary<long, IReadOnlyList<ConversationMessage>> _pages = [];

    /// <summary>
    /// What the last context windows made of each message, by index: what the model saw of it and its exact token
    /// count, each made once. Records are immutable, so an entry is good while the record at its index is the same
    /// object. Kept with the activation (not in a weak table keyed by the record: its dependent handles, one per
    /// message, slow down every collection).
    /// </summary>
    private readonly Dictionary<long, WindowedMessage> _windowed = [];

    /// <summary>The exact token counts of the instructions and of the tool schemas, and the texts they were counted from.</summary>
    private (string? Text, int Tokens) _instructionTokens, _schemaTokens;

    /// <summary>The agent's instructions as the model's system message, the text it was made from, and whether in OpenAI form.</summary>
    private (string Text, bool OpenAIForm, ChatMessage Message)? _instructions;

    public long Count => state.MessageCount;

    /// <summary>The numbers of the history pages held in memory.</summary>
    internal IEnumerable<long> CachedPages => _pages.Keys;

    public void Append(ConversationMessage message)
    {
        if (message.Index != state.MessageCount)
        {
            throw new InvalidOperationException($"Message {message.Index} appended at position {state.MessageCount}.");
        }

        state.Head.Add(Bounded(message));
    }

    /// <summary>Replaces a message still in the head (a step's tool calls filling in).</summary>
    public void Replace(ConversationMessage message) => state.Head[(int)(message.Index - state.PagedCount)] = Bounded(message);

    /// <summary>The newest message (the head always holds it); null for an empty conversation.</summary>
    public ConversationMessage? Newest => state.Head.Count == 0 ? null : state.Head[^1];

    /// <summary>
    /// Gives every tool call still marked running a final status: they are in the newest messages (a step's
    /// calls finish before the next step), so only the head is looked at. Returns the calls it finished.
    /// </summary>
    public List<ToolCallRecord> FinishUnfinishedCalls(string status, string reason) => FinishCalls(ToolCallStatuses.Running, status, reason);

    /// <summary>Rejects every call still waiting for an approval (the turn ends without them); returns them.</summary>
    public List<ToolCallRecord> RejectWaitingCalls(string reason) => FinishCalls(ToolCallStatuses.WaitingApproval, ToolCallStatuses.Rejected, reason);

    /// <summary>
    /// Moves each full page out of the head, so a checkpoint serializes at most <see cref="PageSize"/> messages.
    /// The newest message always stays in the head: it may be the step whose tool calls are still being
    /// filled in. The page just written stays cached, so the context window does not read it back. Pages are
    /// written before the head that no longer holds them.
    /// </summary>
    public async Task SpillAsync()
    {
        while (state.Head.Count > PageSize)
        {
            var pageNumber = state.PagedCount / PageSize;
            var page = state.Head.GetRange(0, PageSize);
            await PageGrain(pageNumber).WriteAsync(page);
            Remember(pageNumber, page);
            state.Head.RemoveRange(0, PageSize);
            state.PagedCount += PageSize;
        }
    }

    /// <summary>Newest message first, reading older pages only as far as the caller enumerates.</summary>
    public async IAsyncEnumerable<ConversationMessage> NewestFirstAsync()
    {
        for (var i = state.Head.Count - 1; i >= 0; i--)
        {
            yield return state.Head[i];
        }

        for (var pageNumber = state.PagedCount / PageSize - 1; pageNumber >= 0; pageNumber--)
        {
            var page = await ReadPageAsync(pageNumber);
            for (var i = page.Count - 1; i >= 0; i--)
            {
                yield return page[i];
            }
        }
    }

    /// <summary>Up to <paramref name="limit"/> messages before index <paramref name="before"/>, oldest first.</summary>
    public async Task<MessagePage> PageAsync(long before, int limit)
    {
        var end = Math.Clamp(before, 0, state.MessageCount);
        var start = Math.Max(0, end - limit);
        var messages = new List<ConversationMessage>((int)(end - start));
        for (var index = start; index < end; index++)
        {
            messages.Add(index >= state.PagedCount
                ? state.Head[(int)(index - state.PagedCount)]
                : (await ReadPageAsync(index / PageSize))[(int)(index % PageSize)]);
        }

        return new MessagePage(messages, start > 0 ? MessageIds.Format(start) : null);
    }

    /// <summary>The messages from index <paramref name="start"/> to the newest, oldest first.</summary>
    public async Task<IReadOnlyList<ConversationMessage>> ReadFromAsync(long start) =>
        (await PageAsync(state.MessageCount, (int)Math.Min(int.MaxValue, state.MessageCount - start))).Messages;

    /// <summary>A turn's user message (at <paramref name="userMessageIndex"/>) and the steps that followed it in that turn.</summary>
    public async Task<(ConversationMessage User, IReadOnlyList<ConversationMessage> Steps)> ReadTurnAsync(long userMessageIndex, string turnId)
    {
        var messages = await ReadFromAsync(userMessageIndex);
        return (messages[0], messages.Skip(1).TakeWhile(m => m.TurnId == turnId).ToList());
    }

    /// <summary>
    /// The messages a model of <paramref name="provider"/> sees for <paramref name="message"/>, mapped (and masked) once
    /// while it stays in the context window, and again if the agent's provider changes between the OpenAI adapter and another.
    /// </summary>
    public ChatMessage[] ModelMessagesOf(ConversationMessage message, string? provider)
    {
        var windowed = WindowedOf(message);
        var openAIForm = OpenAIRequestMessages.Apply(provider);
        if (windowed.Mapped is null || windowed.OpenAIForm != openAIForm)
        {
            windowed.Mapped = Array.ConvertAll(ModelMessages.From(message), m => ForModel(m, openAIForm));
            windowed.OpenAIForm = openAIForm;
        }

        return windowed.Mapped;
    }

    /// <summary>The tokens <paramref name="message"/> takes in a context window, counted once while it stays in the window.</summary>
    public int TokensOf(ConversationMessage message, TokenCounter tokens) => WindowedOf(message).Tokens ??= tokens.Count(message);

    /// <summary>The tokens of the instructions, counted again only when they change.</summary>
    public int TokensOfInstructions(string? instructions, TokenCounter tokens) => CountOnce(ref _instructionTokens, instructions, tokens);

    /// <summary>The tokens of the offered tool schemas, counted again only when they change.</summary>
    public int TokensOfToolSchemas(string toolSchemas, TokenCounter tokens) => CountOnce(ref _schemaTokens, toolSchemas, tokens);

    /// <summary>The system message of <paramref name="instructions"/>, made (and masked) once while the agent's instructions stay the same.</summary>
    public ChatMessage ModelInstructions(string instructions, string? provider)
    {
        var openAIForm = OpenAIRequestMessages.Apply(provider);
        if (_instructions is { } cached && cached.Text == instructions && cached.OpenAIForm == openAIForm)
        {
            return cached.Message;
        }

        _instructions = (instructions, openAIForm, ForModel(new ChatMessage(ChatRole.System, instructions), openAIForm));
        return _instructions.Value.Message;
    }

    /// <summary>A message as the model sees it: masked when models see masked text, then in OpenAI form when asked.</summary>
    private ChatMessage ForModel(ChatMessage message, bool openAIForm)
    {
        var seen = maskForModels ? MaskedChatMessage.From(message) : message;
        return openAIForm ? OpenAIRequestMessages.Attach(seen) : seen;
    }

    /// <summary>
    /// Messages before <paramref name="index"/> left the context window: what was made of them goes, and so do the
    /// cached pages that hold nothing newer, but for the message just before it, which the next window weighs again
    /// (it may be a long one). A conversation keeps in memory what its window spans, not the last
    /// <see cref="MaxCachedPages"/> pages whatever its window; a window that widens (shorter instructions or tool
    /// schemas, a larger context) reads the pages it reaches again from their grains.
    /// </summary>
    public void ForgetModelMessagesBefore(long index)
    {
        var kept = index - 1;
        foreach (var key in _windowed.Keys)
        {
            if (key < kept)
            {
                _windowed.Remove(key);
            }
        }

        foreach (var pageNumber in _pages.Keys)
        {
            if ((pageNumber + 1) * PageSize <= kept)
            {
                _pages.Remove(pageNumber);
            }
        }
    }

    /// <summary>Every history page written so far, for deleting the conversation.</summary>
    public IEnumerable<IHistoryPageGrain> AllPages()
    {
        for (var pageNumber = 0L; pageNumber < state.PagedCount / PageSize; pageNumber++)
        {
            yield return PageGrain(pageNumber);
        }
    }

    private List<ToolCallRecord> FinishCalls(string unfinished, string status, string reason)
    {
        var finished = new List<ToolCallRecord>();
        for (var i = 0; i < state.Head.Count; i++)
        {
            var message = state.Head[i];
            if (message.ToolCalls?.Any(c => c.Status == unfinished) == true)
            {
                var calls = message.ToolCalls.Select(c => c.Status == unfinished ? c with { Status = status, Result = reason } : c).ToList();
                finished.AddRange(calls.Where((c, j) => message.ToolCalls[j].Status == unfinished));
                state.Head[i] = Bounded(message with { ToolCalls = calls });
            }
        }

        return finished;
    }

    private WindowedMessage WindowedOf(ConversationMessage message)
    {
        if (!_windowed.TryGetValue(message.Index, out var windowed) || !ReferenceEquals(windowed.Source, message))
        {
            windowed = new WindowedMessage(message);
            _windowed[message.Index] = windowed;
        }

        return windowed;
    }

    private static int CountOnce(ref (string? Text, int Tokens) counted, string? text, TokenCounter tokens)
    {
        if (counted.Text != text)
        {
            counted = (text, tokens.Count(text));
        }

        return counted.Tokens;
    }

    private static ConversationMessage Bounded(ConversationMessage message) => message with { TokenCount = TokenCounter.UpperBound(message) };

    private async ValueTask<IReadOnlyList<ConversationMessage>> ReadPageAsync(long pageNumber)
    {
        if (_pages.TryGetValue(pageNumber, out var cached))
        {
            return cached;
        }

        var page = await PageGrain(pageNumber).ReadAsync();
        if (page.Count != PageSize)
        {
            throw new InvalidOperationException($"History page {pageNumber} of {conversationKey} holds {page.Count} messages, expected {PageSize}.");
        }

        Remember(pageNumber, page);
        return page;
    }

    /// <summary>Context windows read the newest pages, so when the cache is full the oldest page makes room.</summary>
    private void Remember(long pageNumber, IReadOnlyList<ConversationMessage> page)
    {
        if (_pages.Count >= MaxCachedPages)
        {
            var oldest = _pages.Keys.Min();
            if (oldest > pageNumber)
            {
                return;
            }

            _pages.Remove(oldest);
        }

        _pages[pageNumber] = page;
    }

    private IHistoryPageGrain PageGrain(long pageNumber) =>
        grains.GetGrain<IHistoryPageGrain>(GrainKeys.HistoryPage(conversationKey, pageNumber));

    /// <summary>What a context window made of one message, each part once.</summary>
    private sealed class WindowedMessage(ConversationMessage source)
    {
        public ConversationMessage Source { get; } = source;

        public ChatMessage[]? Mapped { get; set; }

        /// <summary>Whether <see cref="Mapped"/> carries the OpenAI form.</summary>
        public bool OpenAIForm { get; set; }

        public int? Tokens { get; set; }
    }
}
