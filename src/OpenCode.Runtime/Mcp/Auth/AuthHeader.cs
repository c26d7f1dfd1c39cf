namespace OpenCode.Runtime.Mcp.Auth;

/// <summary>A request header that authenticates to an MCP server.</summary>
internal readonly record struct AuthHeader(string Name, string Value)
{
    public const string Authorization = "Authorization";

    public static AuthHeader Bearer(string token) => new(Authorization, $"Bearer {token}");

    // The value is a secret: never in a log line or an exception message.
    public override string ToString() => $"{Name}: ***";
}
