using Microsoft.Extensions.Configuration;

namespace OpenCode.Runtime.Tools.Workspace;

/// <summary>
/// The built-in <c>workspace</c> MCP server's settings, section <c>Tools:Workspace</c>. The server is on only
/// when a root is configured (<c>OPENCODE_WORKSPACE</c>, which wins, or <c>Tools:Workspace:Root</c>).
/// </summary>
public sealed record WorkspaceOptions
{
    public const string Section = "Tools:Workspace";
    public const string RootVariable = "OPENCODE_WORKSPACE";

    /// <summary>The directory the tools work in; null when the server is off.</summary>
    public string? Root { get; init; }

    /// <summary>How much of a file <c>read_file</c> returns; a longer file is cut with a note.</summary>
    public int MaxReadBytes { get; init; } = 128 * 1024;

    /// <summary>The largest content <c>write_file</c> accepts.</summary>
    public int MaxWriteBytes { get; init; } = 1024 * 1024;

    /// <summary>The most entries <c>list_directory</c> and <c>search_files</c> return.</summary>
    public int MaxResults { get; init; } = 500;

    public CodeExecutionOptions CodeExecution { get; init; } = new();

    public bool Enabled => Root is not null;

    /// <summary>The settings in <paramref name="configuration"/>, checked: a root that is not a directory or a limit out of range stops the gateway at start-up.</summary>
    /// <exception cref="InvalidOperationException">A setting is invalid.</exception>
    public static WorkspaceOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<WorkspaceOptions>() ?? new WorkspaceOptions();
        var root = configuration[RootVariable] is { Length: > 0 } variable ? variable : options.Root;
        if (string.IsNullOrWhiteSpace(root))
        {
            return options with { Root = null };
        }

        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new InvalidOperationException($"The workspace root '{full}' ({RootVariable} or {Section}:Root) is not an existing directory.");
        }

        Require(options.MaxReadBytes > 0, "MaxReadBytes must be positive");
        Require(options.MaxWriteBytes > 0, "MaxWriteBytes must be positive");
        Require(options.MaxResults > 0, "MaxResults must be positive");
        options.CodeExecution.Validate();
        return options with { Root = full };
    }

    internal static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{Section}: {problem}.");
        }
    }
}
