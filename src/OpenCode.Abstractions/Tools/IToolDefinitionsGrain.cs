namespace OpenCode.Abstractions;

/// <summary>
/// The tool definitions an agent accepted: each tool as first seen for the agent, or as an admin accepted it
/// after it changed. A changed definition is recorded and reported until accepted, so a server cannot quietly
/// change what a tool does under a running agent. Key: <c>{tenant}/{agentId}</c>.
/// </summary>
[Alias("OpenCode.IToolDefinitionsGrain")]
public interface IToolDefinitionsGrain : IGrainWithStringKey
{
    /// <summary>Records tools seen for the first time and changes; returns the tools whose definition is not accepted.</summary>
    [Alias("Check")]
    Task<IReadOnlyList<string>> CheckAsync(IReadOnlyList<ToolDefinition> tools);

    /// <summary>The changes waiting to be accepted, oldest first.</summary>
    [Alias("ListChanges")]
    Task<IReadOnlyList<ToolChange>> ListChangesAsync();

    /// <summary>Accepts a tool's changed definition; null when the tool has no pending change.</summary>
    [Alias("Accept")]
    Task<ToolChange?> AcceptAsync(string tool);
}
