using OpenCode.Abstractions;

namespace OpenCode.Runtime.Mcp.Auth;

/// <summary>
/// Takes the secrets of one MCP server out of error texts: its <c>env</c> values and the current values of the secrets its
/// <c>auth</c> names. A server may echo what it was given (in its stderr, in an error body); errors go to the model, the
/// API and the log, so none of them may carry a secret.
/// </summary>
internal sealed class SecretRedactor(McpServerSpec spec, ConfiguredSecrets secrets)
{
    /// <summary>Shorter values are not redacted: they are not secrets, and masking them would garble messages.</summary>
    private const int MinLength = 6;

    private const string Mask = "***";

    public string Redact(string text)
    {
        foreach (var value in Values())
        {
            if (value.Length >= MinLength)
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    // Looked up on each use, as a rotated secret is.
    private IEnumerable<string> Values()
    {
        foreach (var value in (spec.Env ?? new Dictionary<string, string>()).Values)
        {
            yield return value;
        }

        foreach (var name in new[] { spec.Auth?.TokenRef, spec.Auth?.KeyRef, spec.Auth?.ClientSecretRef })
        {
            if (name is not null && secrets.Find(name) is { } value)
            {
                yield return value;
            }
        }
    }
}
