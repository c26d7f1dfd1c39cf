using System.Runtime;
using System.Text;
using Microsoft.ML.Tokenizers;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// Counts tokens with the o200k tokenizer (GPT-4o's). Other providers' tokenizers differ by a few percent,
/// which the reserved output budget absorbs; the point is a real count instead of a characters-divided-by-four guess.
/// The vocabulary takes about 40 MB of heap, so it is loaded the first time a count is needed: a context window
/// whose <see cref="UpperBound(string?)"/> fits is never counted, and most conversations stay far inside their window.
/// </summary>
public sealed class TokenCounter
{
    /// <summary>What a chat message costs beyond its text (role and separators).</summary>
    private const int PerMessageOverhead = 4;

    private readonly Lock _loading = new();
    private Tokenizer? _tokenizer;

    /// <summary>Whether the vocabulary has been loaded (a count was needed).</summary>
    public bool IsLoaded => Volatile.Read(ref _tokenizer) is not null;

    public int Count(string? text) => string.IsNullOrEmpty(text) ? 0 : Tokenizer.CountTokens(text);

    public int Count(ConversationMessage message)
    {
        var count = PerMessageOverhead + Count(message.Content);
        foreach (var call in message.ToolCalls ?? [])
        {
            count += PerMessageOverhead + Count(call.Name) + Count(call.ArgumentsJson) + Count(call.Result);
        }

        return count;
    }

    /// <summary>
    /// At least <see cref="Count(string?)"/>, without the tokenizer: every o200k token stands for at least one byte
    /// of the text's UTF-8 (byte-level BPE; a special token for several).
    /// </summary>
    public static int UpperBound(string? text) => string.IsNullOrEmpty(text) ? 0 : Encoding.UTF8.GetByteCount(text);

    /// <summary>At least <see cref="Count(ConversationMessage)"/>, without the tokenizer.</summary>
    public static int UpperBound(ConversationMessage message)
    {
        var bound = PerMessageOverhead + UpperBound(message.Content);
        foreach (var call in message.ToolCalls ?? [])
        {
            bound += PerMessageOverhead + UpperBound(call.Name) + UpperBound(call.ArgumentsJson) + UpperBound(call.Result);
        }

        return bound;
    }

    /// <summary>Loaded once; a load that fails is tried again by the next count instead of failing every count after it.</summary>
    private Tokenizer Tokenizer
    {
        get
        {
            if (Volatile.Read(ref _tokenizer) is { } loaded)
            {
                return loaded;
            }

            lock (_loading)
            {
                return _tokenizer ??= Load();
            }
        }
    }

    /// <summary>
    /// Builds the vocabulary, then compacts the heap once: building it leaves tens of MB of garbage, much of it on
    /// the large object heap (the dictionaries grow by doubling), which background collections never compact, so
    /// without this one blocking collection (a pause once in the process's life) the process would carry it as
    /// resident memory for its whole life.
    /// </summary>
    private static Tokenizer Load()
    {
        var tokenizer = TiktokenTokenizer.CreateForModel("gpt-4o");
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return tokenizer;
    }
}
