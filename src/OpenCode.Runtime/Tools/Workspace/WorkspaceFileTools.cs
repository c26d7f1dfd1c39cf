using System.ComponentModel;
using System.IO.Enumeration;
using System.Text;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace OpenCode.Runtime.Tools.Workspace;

/// <summary>
/// The file tools of the workspace server. Every path goes through <see cref="WorkspaceRoot.Resolve"/>; every
/// answer is bounded by <see cref="WorkspaceOptions"/>. A problem is an <see cref="McpException"/> with a message
/// for the model (the SDK turns it into an error result), never an exception that ends the session.
/// </summary>
public sealed class WorkspaceFileTools(WorkspaceRoot root, WorkspaceOptions options)
{
    /// <summary>The default of <c>search_files</c>' <c>maxResults</c>.</summary>
    private const int DefaultSearchResults = 100;

    /// <summary>How many entries one search may look at, so a search of a huge tree ends.</summary>
    private const int MaxEntriesSearched = 200_000;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    [McpServerTool(Name = "read_file", ReadOnly = true, Idempotent = true)]
    [Description("Reads a text file of the workspace. A long file is cut after a limit, with a note saying so.")]
    public async Task<string> ReadFileAsync(
        [Description("The file's path, relative to the workspace root.")] string path,
        [Description("How the file's bytes are decoded: utf-8 (default), ascii or latin-1.")] string? encoding = null,
        CancellationToken cancellationToken = default)
    {
        var decoding = EncodingNamed(encoding);
        var full = root.Resolve(path);
        if (Directory.Exists(full))
        {
            throw new McpException($"'{path}' is a directory; use list_directory to see what it holds.");
        }

        try
        {
            await using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
            var buffer = new byte[options.MaxReadBytes];
            var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
            var length = stream.Length;
            var truncated = length > read;

            // Without a flush, a character cut by the limit is left out rather than decoded into garbage.
            var decoder = decoding.GetDecoder();
            var chars = new char[decoding.GetMaxCharCount(read)];
            var count = decoder.GetChars(buffer, 0, read, chars, 0, flush: !truncated);
            var text = new string(chars, 0, count);
            return truncated
                ? $"{text}\n\n[truncated: the file has {length} bytes; only the first {read} are shown]"
                : text;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Failed("read", path, exception);
        }
    }

    [McpServerTool(Name = "list_directory", ReadOnly = true, Idempotent = true)]
    [Description("Lists a directory of the workspace, one entry per line, sorted by name: directories end with '/', symbolic links with '@', files show their size.")]
    public string ListDirectory(
        [Description("The directory, relative to the workspace root; '.' (the default) is the root.")] string path = ".")
    {
        var directory = new DirectoryInfo(root.Resolve(path));
        if (!directory.Exists)
        {
            throw new McpException(File.Exists(directory.FullName) ? $"'{path}' is a file, not a directory." : $"The directory '{path}' does not exist.");
        }

        try
        {
            var shown = new List<FileSystemInfo>();
            var more = 0;
            foreach (var entry in directory.EnumerateFileSystemInfos())
            {
                if (shown.Count < options.MaxResults)
                {
                    shown.Add(entry);
                }
                else
                {
                    more++;
                }
            }

            if (shown.Count == 0)
            {
                return "(empty directory)";
            }

            var lines = new StringBuilder();
            foreach (var entry in shown.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                lines.AppendLine(entry switch
                {
                    { LinkTarget: not null } => entry.Name + "@",
                    DirectoryInfo => entry.Name + "/",
                    FileInfo file => $"{file.Name} ({file.Length} bytes)",
                    _ => entry.Name,
                });
            }

            if (more > 0)
            {
                lines.AppendLine($"[{more} more entries not shown]");
            }

            return lines.ToString().TrimEnd();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Failed("list", path, exception);
        }
    }

    [McpServerTool(Name = "search_files", ReadOnly = true, Idempotent = true)]
    [Description("Finds files and directories whose name matches a glob ('*' any characters, '?' one), in a directory of the workspace and all its subdirectories. Returns their paths relative to the workspace root, one per line. Symbolic links are listed but not followed.")]
    public string SearchFiles(
        [Description("The glob a name must match, e.g. '*.cs' or 'README*' (case-insensitive).")] string pattern,
        [Description("Where to search, relative to the workspace root; '.' (the default) is the whole workspace.")] string path = ".",
        [Description("The most paths to return (default 100).")] int maxResults = DefaultSearchResults,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(pattern) || pattern.IndexOfAny(['/', '\\']) >= 0)
        {
            throw new McpException("The pattern must be a non-empty glob on names, without '/' or '\\'; give the directory to search as 'path'.");
        }

        var start = new DirectoryInfo(root.Resolve(path));
        if (!start.Exists)
        {
            throw new McpException($"The directory '{path}' does not exist.");
        }

        try
        {
            return Search(start, pattern, Math.Clamp(maxResults, 1, options.MaxResults), cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Failed("search", path, exception);
        }
    }

    [McpServerTool(Name = "write_file", Destructive = true, Idempotent = true)]
    [Description("Writes a text file (UTF-8) in the workspace, replacing it if it exists and creating missing parent directories.")]
    public async Task<string> WriteFileAsync(
        [Description("The file's path, relative to the workspace root.")] string path,
        [Description("The complete new content of the file.")] string content,
        CancellationToken cancellationToken = default)
    {
        var full = root.Resolve(path);
        if (Directory.Exists(full))
        {
            throw new McpException($"'{path}' is a directory.");
        }

        var bytes = Utf8.GetBytes(content ?? "");
        if (bytes.Length > options.MaxWriteBytes)
        {
            throw new McpException($"The content is {bytes.Length} bytes; the workspace accepts files of at most {options.MaxWriteBytes} bytes.");
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllBytesAsync(full, bytes, cancellationToken);
            return $"Wrote {bytes.Length} bytes to {root.Relative(full)}.";
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Failed("write", path, exception);
        }
    }

    private string Search(DirectoryInfo start, string pattern, int limit, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        var searched = 0;
        var pending = new Stack<DirectoryInfo>([start]);
        var skip = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0 };
        while (pending.TryPop(out var directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entries = directory.EnumerateFileSystemInfos("*", skip).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            var subdirectories = new List<DirectoryInfo>();
            foreach (var entry in entries)
            {
                if (++searched > MaxEntriesSearched)
                {
                    return Found(found, $"[stopped after looking at {MaxEntriesSearched} entries; search a smaller directory]");
                }

                var isLink = entry.LinkTarget is not null;
                if (FileSystemName.MatchesSimpleExpression(pattern, entry.Name, ignoreCase: true))
                {
                    found.Add(root.Relative(entry.FullName) + (entry is DirectoryInfo && !isLink ? "/" : ""));
                    if (found.Count == limit)
                    {
                        return Found(found, $"[stopped at {limit} results; narrow the pattern or the path]");
                    }
                }

                // A linked directory is not entered: it may lead out of the workspace.
                if (entry is DirectoryInfo subdirectory && !isLink)
                {
                    subdirectories.Add(subdirectory);
                }
            }

            for (var i = subdirectories.Count - 1; i >= 0; i--)
            {
                pending.Push(subdirectories[i]);
            }
        }

        return found.Count == 0 ? $"No names match '{pattern}'." : Found(found, null);
    }

    private static Encoding EncodingNamed(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "utf-8" or "utf8" => Utf8,
        "ascii" or "us-ascii" => Encoding.ASCII,
        "latin-1" or "latin1" or "iso-8859-1" => Encoding.Latin1,
        _ => throw new McpException($"Unknown encoding '{name}'; use utf-8, ascii or latin-1."),
    };

    private static string Found(List<string> paths, string? note) =>
        string.Join('\n', note is null ? paths : [.. paths, note]);

    // The runtime's messages name the real path on disk; the model gets the path it gave.
    private static McpException Failed(string verb, string path, Exception exception) => exception switch
    {
        FileNotFoundException or DirectoryNotFoundException => new McpException($"'{path}' does not exist."),
        UnauthorizedAccessException => new McpException($"Cannot {verb} '{path}': permission denied."),
        _ => new McpException($"Cannot {verb} '{path}': {exception.Message}"),
    };
}
