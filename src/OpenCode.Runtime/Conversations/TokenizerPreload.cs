using System.Runtime;

namespace OpenCode.Runtime.Conversations;

/// <summary>
/// Loads the tokenizer while the silo starts instead of in the first turn, then compacts the heap once.
/// Building the o200k vocabulary leaves tens of MB of garbage, much of it on the large object heap (the
/// dictionaries grow by doubling): background collections never compact that, so without this one
/// collection the process would carry it as resident memory for its whole life.
/// </summary>
public sealed class TokenizerPreload(TokenCounter tokens) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(TokenizerPreload), ServiceLifecycleStage.ApplicationServices, _ =>
        {
            tokens.Count("warm");
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            return Task.CompletedTask;
        });
}
