using OpenCode.Abstractions;
using Orleans.Concurrency;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// The tool definitions an agent accepted (see <see cref="IToolDefinitionsGrain"/>). Checked on every tool
/// load; a check that finds nothing new writes nothing.
/// </summary>
public sealed class ToolDefinitionsGrain(
    [PersistentState("toolDefinitions", OpenCodeStorage.Name)] IPersistentState<ToolDefinitionsState> state,
    TimeProvider clock) : Grain, IToolDefinitionsGrain
{
    private ToolDefinitionsState Definitions => state.State;

    public async Task<IReadOnlyList<string>> CheckAsync(IReadOnlyList<ToolDefinition> tools)
    {
        var changed = new List<string>();
        var undo = new List<Action>();
        foreach (var tool in tools)
        {
            if (!Definitions.Accepted.TryGetValue(tool.Tool, out var accepted))
            {
                // First seen for this agent: this is the definition later ones are compared with.
                Definitions.Accepted[tool.Tool] = tool;
                undo.Add(() => Definitions.Accepted.Remove(tool.Tool));
            }
            else if (accepted.Hash != tool.Hash)
            {
                changed.Add(tool.Tool);
                if (!Definitions.Changes.TryGetValue(tool.Tool, out var recorded) || recorded.Current.Hash != tool.Hash)
                {
                    Definitions.Changes[tool.Tool] = new ToolChange(tool.Tool, accepted, tool, clock.GetUtcNow());
                    undo.Add(() => Restore(tool.Tool, recorded));
                }
            }
            else if (Definitions.Changes.Remove(tool.Tool, out var reverted))
            {
                // Back to the accepted definition: nothing is left to accept.
                undo.Add(() => Definitions.Changes[tool.Tool] = reverted);
            }
        }

        if (undo.Count > 0)
        {
            await state.WriteOrRollbackAsync(this, () => undo.ForEach(u => u()));
        }

        return changed;
    }

    [ReadOnly]
    public Task<IReadOnlyList<ToolChange>> ListChangesAsync() =>
        Task.FromResult<IReadOnlyList<ToolChange>>([.. Definitions.Changes.Values.OrderBy(c => c.DetectedAt).ThenBy(c => c.Tool, StringComparer.Ordinal)]);

    public async Task<ToolChange?> AcceptAsync(string tool)
    {
        if (!Definitions.Changes.Remove(tool, out var change))
        {
            return null;
        }

        var previous = Definitions.Accepted[tool];
        Definitions.Accepted[tool] = change.Current;
        await state.WriteOrRollbackAsync(this, () =>
        {
            Definitions.Changes[tool] = change;
            Definitions.Accepted[tool] = previous;
        });
        return change with { AcceptedAt = clock.GetUtcNow() };
    }

    private void Restore(string tool, ToolChange? recorded)
    {
        if (recorded is null)
        {
            Definitions.Changes.Remove(tool);
        }
        else
        {
            Definitions.Changes[tool] = recorded;
        }
    }
}
