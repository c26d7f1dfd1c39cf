namespace OpenCode.Testing;

/// <summary>Where things are in the repository, found from the running test assembly.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary><c>Debug</c> or <c>Release</c>: the configuration the tests were built with, so child processes match it.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string GatewayAssembly =>
        Path.Combine(Root, "src", "OpenCode.Gateway", "bin", Configuration, "net10.0", "OpenCode.Gateway.dll");

    /// <summary>The npm-installed MCP servers (tests/run.sh runs <c>npm ci</c> there).</summary>
    public static string NodeModules => Path.Combine(Root, "tests", "mcp-servers", "node_modules");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenCode.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No OpenCode.Orleans.sln above {AppContext.BaseDirectory}.");
    }
}
