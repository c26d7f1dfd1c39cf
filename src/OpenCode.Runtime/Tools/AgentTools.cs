using OpenCode.Abstractions;
using OpenCode.Runtime.Mcp;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// Loads what an agent's MCP servers offer, checks each definition against the ones the agent accepted and
/// applies the permissions.
/// </summary>
public sealed class AgentTools(McpServerResolver resolver, ToolCatalog catalog, IGrainFactory grains)
{
    /// <param name="agentKey">The agent's grain key, under which its accepted tool definitions are kept.</param>
    public async Task<ToolSet> LoadAsync(string agentKey, AgentConfig agent, ToolPermissions permissions, CancellationToken cancellationToken)
    {
        var entries = agent.Mcp?.Servers;
        if (entries is not { Count: > 0 })
        {
            return ToolSet.Empty;
        }

        var problems = new List<ServerProblem>();
        var specs = new List<McpServerSpec>(entries.Count);
        foreach (var entry in entries)
        {
            var (spec, error) = resolver.Resolve(entry);
            if (spec is null)
            {
                problems.Add(new ServerProblem(entry.Name, error!));
            }
            else
            {
                specs.Add(spec);
            }
        }

        var loaded = await catalog.LoadAsync(specs, cancellationToken);
        problems.AddRange(loaded.Errors.Select(e => new ServerProblem(e.Server, e.Message)));

        var changed = loaded.Tools.Count == 0
            ? []
            : (await grains.GetGrain<IToolDefinitionsGrain>(agentKey).CheckAsync([.. loaded.Tools.Select(ToolDefinitionHash.Define)])).ToHashSet(StringComparer.Ordinal);
        var byServer = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var tools = loaded.Tools
            .Select(t => new AgentTool(t, byServer[t.Server], permissions.RuleFor(t.QualifiedName), changed.Contains(t.QualifiedName)))
            .ToList();
        return new ToolSet(tools, problems);
    }
}
