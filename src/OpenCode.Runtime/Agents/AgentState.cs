using OpenCode.Abstractions;

namespace OpenCode.Runtime.Agents;

/// <summary>Every version an agent had: conversations pinned to an old version still read it after updates.</summary>
[GenerateSerializer, Alias("OpenCode.AgentState")]
public sealed class AgentState
{
    [Id(0)] public List<AgentSnapshot> Versions { get; set; } = [];

    /// <summary>A deleted agent keeps its versions so a re-created one continues the numbering.</summary>
    [Id(1)] public bool Deleted { get; set; }
}
