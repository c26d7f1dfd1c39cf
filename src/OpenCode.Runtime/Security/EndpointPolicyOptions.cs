namespace OpenCode.Runtime.Security;

/// <summary>
/// The operator's allow-lists (configuration section <c>Security</c>): where agent configurations may point the
/// server (model endpoints, MCP URLs) and which programs they may start (stdio MCP servers).
/// </summary>
public sealed class EndpointPolicyOptions
{
    public const string SectionName = "Security";

    /// <summary>
    /// URL globs such as <c>http://127.0.0.1:*</c> or <c>https://*.example.org/mcp/**</c>: scheme, host, an
    /// optional port (the scheme's default when absent) and an optional path (any path when absent).
    /// </summary>
    public string[] AllowedEndpoints { get; set; } = [];

    /// <summary>Command globs such as <c>node</c> or <c>/usr/local/bin/*</c>, matched against the command as given.</summary>
    public string[] AllowedCommands { get; set; } = [];

    /// <summary>
    /// Set by the host when requests are authenticated (many users). Off, the one local user may also use loopback
    /// endpoints and any command; on, only what the lists (and the configured providers) allow.
    /// </summary>
    public bool AuthenticationEnabled { get; set; }
}
