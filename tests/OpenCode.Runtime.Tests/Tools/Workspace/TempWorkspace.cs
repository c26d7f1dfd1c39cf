using Microsoft.Extensions.Logging.Abstractions;
using OpenCode.Abstractions;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Tests.Tools.Workspace;

/// <summary>
/// A real directory tree for workspace tests: the root <c>work/</c>, a sibling that shares its name as a prefix
/// (<c>work-evil/</c>) and an <c>outside/</c> directory, each outside one holding a <c>secret.txt</c>.
/// </summary>
public sealed class TempWorkspace : IDisposable
{
    public const string Secret = "top secret";

    /// <summary>The spec the resolver builds for <c>{"name": "workspace"}</c> with code execution off.</summary>
    public static readonly McpServerSpec Spec = new(WorkspaceServer.Name, McpTransport.InProcess, null, [], new Dictionary<string, string>(), null);

    public TempWorkspace()
    {
        Base = Directory.CreateTempSubdirectory("opencode-ws-").FullName;
        Root = Directory.CreateDirectory(Path.Combine(Base, "work")).FullName;
        Sibling = Directory.CreateDirectory(Path.Combine(Base, "work-evil")).FullName;
        Outside = Directory.CreateDirectory(Path.Combine(Base, "outside")).FullName;
        File.WriteAllText(Path.Combine(Sibling, "secret.txt"), Secret);
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), Secret);
    }

    public string Base { get; }

    public string Root { get; }

    public string Sibling { get; }

    public string Outside { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public string Write(string relative, string content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>A symbolic link at <paramref name="relative"/> (under the root) whose target is written as given.</summary>
    public void Link(string relative, string target)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }

    public WorkspaceOptions Options(bool codeExecution = false, int maxReadBytes = 128 * 1024, int maxOutputBytes = 64 * 1024) => new()
    {
        Root = Root,
        MaxReadBytes = maxReadBytes,
        CodeExecution = new CodeExecutionOptions { Enabled = codeExecution, TimeoutSeconds = 30, MaxOutputBytes = maxOutputBytes },
    };

    public WorkspaceServer Server(WorkspaceOptions? options = null) => new(options ?? Options(), NullLoggerFactory.Instance);

    public void Dispose() => Directory.Delete(Base, recursive: true);
}
