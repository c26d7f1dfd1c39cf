namespace OpenCode.Runtime.Tools.Workspace;

/// <summary>
/// The workspace server's <c>run_command</c> tool, section <c>Tools:Workspace:CodeExecution</c>. Off unless
/// <see cref="Enabled"/>; when on, agents are asked before each command unless their permissions name the tool.
/// </summary>
public sealed record CodeExecutionOptions
{
    /// <summary>
    /// The longest timeout a call may ask for. It stays below the MCP call timeout ceiling, so a command is
    /// always killed by its own timeout before the call to it is abandoned.
    /// </summary>
    public const int TimeoutCeilingSeconds = 570;

    public bool Enabled { get; init; }

    /// <summary>The timeout of a call that does not give one.</summary>
    public int TimeoutSeconds { get; init; } = 60;

    public int MaxTimeoutSeconds { get; init; } = 300;

    /// <summary>How much of each of stdout and stderr is kept; the rest is read and dropped.</summary>
    public int MaxOutputBytes { get; init; } = 64 * 1024;

    internal void Validate()
    {
        WorkspaceOptions.Require(MaxTimeoutSeconds is > 0 and <= TimeoutCeilingSeconds, $"CodeExecution:MaxTimeoutSeconds must be between 1 and {TimeoutCeilingSeconds}");
        WorkspaceOptions.Require(TimeoutSeconds > 0 && TimeoutSeconds <= MaxTimeoutSeconds, "CodeExecution:TimeoutSeconds must be between 1 and MaxTimeoutSeconds");
        WorkspaceOptions.Require(MaxOutputBytes > 0, "CodeExecution:MaxOutputBytes must be positive");
    }
}
