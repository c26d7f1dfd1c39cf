namespace OpenCode.Abstractions;

/// <summary>An MCP server could not be reached, started or initialized.</summary>
[GenerateSerializer, Alias("OpenCode.McpServerUnavailableException")]
public sealed class McpServerUnavailableException : OpenCodeException
{
    /// <summary>The problem-details / turn-error code of this failure.</summary>
    public const string ErrorCode = "mcp_server_unavailable";

    public McpServerUnavailableException(string server, string message)
        : base(ErrorCode, message) => Server = server;

    /// <summary>The server's name (<see cref="McpServerSpec.Name"/>).</summary>
    [Id(0)] public string Server { get; init; }
}
