using System.Text.RegularExpressions;
using ModelContextProtocol;

namespace OpenCode.Runtime.Tools.Workspace;

/// <summary>
/// The workspace's root directory, and the one way a tool's path argument becomes a path on disk. The argument is
/// taken literally (never URL-decoded), made absolute against the root, and every symbolic link along it is
/// followed, component by component; the resulting real path must be the root or lie under it, and it is what
/// the tools then use, so what was checked is what is opened. Anything else is refused with an
/// <see cref="McpException"/> whose message says why: the MCP server hands it to the model as an error result.
/// </summary>
/// <remarks>
/// This guards against paths the model writes, not against another local process swapping a directory for a
/// symbolic link between the check and the use.
/// </remarks>
public sealed partial class WorkspaceRoot
{
    /// <summary>As many links as Linux follows before it reports a loop.</summary>
    private const int MaxLinkHops = 40;

    // On Unix a backslash is an ordinary file-name character, not a separator.
    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    private readonly string _configured;

    /// <param name="root">An existing directory; it may itself be reached through symbolic links.</param>
    public WorkspaceRoot(string root)
    {
        _configured = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (!Directory.Exists(_configured))
        {
            throw new DirectoryNotFoundException($"The workspace root '{_configured}' is not an existing directory.");
        }

        var hops = 0;
        FullPath = Path.TrimEndingDirectorySeparator(Follow(_configured, ref hops));
    }

    /// <summary>The root's real path (with its own symbolic links resolved).</summary>
    public string FullPath { get; }

    /// <summary>The real path of <paramref name="path"/> (relative to the root, or absolute), which need not exist yet.</summary>
    /// <exception cref="McpException">The path is malformed or leads outside the workspace.</exception>
    public string Resolve(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw Refused(path, "is empty (use '.' for the workspace root)");
        }

        if (path.Contains('\0'))
        {
            throw Refused(path, "contains a NUL character");
        }

        if (EncodedSpecialCharacter().IsMatch(path))
        {
            throw Refused(path, "contains a percent-encoded '.', '/', '\\' or '%' (such as %2e, %2F or %25); paths are taken literally, so write these characters as they are");
        }

        // The lexical check only words the common mistake ('..' or an absolute path elsewhere) plainly; the real
        // path below is what decides.
        var lexical = Path.GetFullPath(path, FullPath);
        if (!IsUnder(lexical, FullPath) && !IsUnder(lexical, _configured))
        {
            throw Refused(path, "is outside the workspace (paths are relative to the workspace root, and '..' may not leave it)");
        }

        var hops = 0;
        string real;
        try
        {
            real = Follow(Path.IsPathRooted(path) ? path : Path.Join(FullPath, path), ref hops);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Refused(path, hops > MaxLinkHops ? exception.Message
                : exception is UnauthorizedAccessException ? "cannot be followed: permission denied"
                : $"cannot be followed: {exception.Message}");
        }

        if (!IsUnder(real, FullPath))
        {
            throw Refused(path, "leads through a symbolic link to a place outside the workspace");
        }

        return real;
    }

    /// <summary><paramref name="fullPath"/> relative to the root, with '/' separators ('.' for the root itself).</summary>
    public string Relative(string fullPath)
    {
        var relative = Path.GetRelativePath(FullPath, fullPath);
        return Path.DirectorySeparatorChar == '/' ? relative : relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary>
    /// The path with every symbolic link along it replaced by its target, resolved the way the kernel does:
    /// component by component, a link's target relative to the directory holding the link, '..' from the real
    /// parent. Components that do not exist are kept as they are.
    /// </summary>
    private static string Follow(string path, ref int hops)
    {
        var current = Path.GetPathRoot(path) is { Length: > 0 } root ? root : throw new ArgumentException("The path is not absolute.", nameof(path));
        foreach (var component in path[current.Length..].Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Join(current, component);
            if (new FileInfo(next).LinkTarget is not { } target)
            {
                current = next;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                throw new IOException($"passes through more than {MaxLinkHops} symbolic links (a link loop?)");
            }

            current = Follow(Path.IsPathRooted(target) ? target : Path.Join(current, target), ref hops);
        }

        return current;
    }

    // Ordinal even on case-insensitive file systems: a case mismatch can only refuse a path, never let one out.
    private static bool IsUnder(string path, string root)
    {
        path = Path.TrimEndingDirectorySeparator(path);
        if (path.Length == root.Length)
        {
            return string.Equals(path, root, StringComparison.Ordinal);
        }

        // The separator check keeps a sibling such as '/x/work-evil' out of '/x/work'.
        return path.StartsWith(root, StringComparison.Ordinal)
            && (Path.EndsInDirectorySeparator(root) || Separators.Contains(path[root.Length]));
    }

    private static McpException Refused(string? path, string reason) => new($"The path '{path}' {reason}.");

    /// <summary>%2e '.', %2f '/', %5c '\', %25 '%' (double encoding), %00 NUL, and %c0/%c1 (overlong UTF-8 forms of '.' and '/').</summary>
    [GeneratedRegex("%(?:2e|2f|5c|25|00|c0|c1)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EncodedSpecialCharacter();
}
