using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tools;

/// <summary>
/// The tools of one turn: every tool the agent's servers offer with its permission, the declarations
/// offered to the model (every tool not denied outright) and the servers that could not be reached.
/// </summary>
public sealed class ToolSet
{
    public static readonly ToolSet Empty = new([], []);

    private readonly Dictionary<string, AgentTool> _byName;

    public ToolSet(IReadOnlyList<AgentTool> tools, IReadOnlyList<ServerProblem> problems)
    {
        All = tools;
        Problems = problems;
        _byName = tools.ToDictionary(t => t.Info.QualifiedName, StringComparer.Ordinal);
        Offered = [.. tools.Where(t => t.Offered).Select(Declare)];
    }

    public IReadOnlyList<AgentTool> All { get; }

    public IReadOnlyList<ServerProblem> Problems { get; }

    /// <summary>What the model is told it may call; a call of an <c>ask</c> tool waits for its approval.</summary>
    public IReadOnlyList<AITool> Offered { get; }

    public AgentTool? Find(string qualifiedName) => _byName.GetValueOrDefault(qualifiedName);

    /// <summary>The text of the offered schemas, for counting what they take from the context window.</summary>
    public string OfferedSchemaText() =>
        string.Concat(All.Where(t => t.Offered).Select(t => t.Info.QualifiedName + t.Info.Description + t.Info.InputSchemaJson));

    private static AIFunctionDeclaration Declare(AgentTool tool)
    {
        using var schema = JsonDocument.Parse(string.IsNullOrWhiteSpace(tool.Info.InputSchemaJson) ? """{"type":"object"}""" : tool.Info.InputSchemaJson);
        return AIFunctionFactory.CreateDeclaration(tool.Info.QualifiedName, tool.Info.Description ?? "", schema.RootElement.Clone());
    }
}

/// <summary>An MCP server whose tools could not be listed, and why.</summary>
public sealed record ServerProblem(string Server, string Error);
