namespace OpenCode.Testing;

/// <summary>The dotnet executable to start managed child processes (<c>dotnet some.dll</c>) with.</summary>
public static class DotnetHost
{
    /// <summary>
    /// <see cref="Environment.ProcessPath"/> when this process is dotnet itself, so children use the same
    /// SDK/runtime as the tests even when dotnet is not on PATH; otherwise plain "dotnet".
    /// </summary>
    public static string Path { get; } = IsDotnet(Environment.ProcessPath) ? Environment.ProcessPath! : "dotnet";

    private static bool IsDotnet(string? path) =>
        path is not null && System.IO.Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
}
