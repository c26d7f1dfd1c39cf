namespace OpenCode.Runtime.Mcp.Auth;

/// <summary>
/// The credentials for an MCP server cannot be had: a secret is not configured, the token endpoint refused or
/// could not be reached, or the auth configuration is unusable. The message names what is wrong, never a secret.
/// </summary>
internal sealed class McpAuthenticationException(string message, Exception? inner = null) : Exception(message, inner);
