using System.Collections.Frozen;

namespace OpenCode.Runtime.Models;

/// <summary>The model providers an agent can name (compared case-insensitively).</summary>
public static class ModelProviders
{
    public const string OpenAI = "openai";
    public const string OpenAICompatible = "openai-compatible";
    public const string Anthropic = "anthropic";
    public const string Ollama = "ollama";

    private static readonly FrozenSet<string> s_known =
        new[] { OpenAI, OpenAICompatible, Anthropic, Ollama }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The known provider names; lookups ignore case.</summary>
    public static IReadOnlySet<string> Known => s_known;

    public static bool IsKnown(string? provider) => provider is not null && s_known.Contains(provider);

    /// <summary>The canonical (lower-case) name of a known provider, or <see langword="null"/>.</summary>
    internal static string? Canonical(string? provider) =>
        provider is not null && s_known.TryGetValue(provider, out var canonical) ? canonical : null;
}
