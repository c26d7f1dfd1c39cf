using Microsoft.Extensions.Configuration;

namespace OpenCode.Runtime.Mcp.Auth;

/// <summary>
/// The secrets an MCP server's <c>auth</c> names (<c>tokenRef</c>, <c>keyRef</c>, <c>clientSecretRef</c>): configuration
/// <c>Secrets:&lt;name&gt;</c> (environment <c>Secrets__&lt;name&gt;</c>) of the silo. Looked up on every use, so a rotated
/// secret is picked up without a restart; never cached in grain state, specs or logs.
/// </summary>
public sealed class ConfiguredSecrets(IConfiguration configuration)
{
    public const string Section = "Secrets";

    /// <summary>The value of the secret <paramref name="name"/>.</summary>
    /// <exception cref="McpAuthenticationException">It is not configured (or empty).</exception>
    internal string Resolve(string name) =>
        Find(name) ?? throw new McpAuthenticationException(
            $"the secret '{name}' is not configured (set {Section}:{name}, or the environment variable {Section}__{name})");

    /// <summary>The value of the secret <paramref name="name"/>, or null when it is not configured.</summary>
    internal string? Find(string name) => configuration[$"{Section}:{name}"] is { Length: > 0 } value ? value : null;
}
