using System.Text.Json.Nodes;

namespace OpenCode.Testing;

/// <summary>
/// The .NET runtime settings the gateway ships with (the <c>DOTNET_*</c> variables of its launch profile, which
/// <c>dotnet run</c> applies), so a gateway started from its assembly runs with the same runtime as one started by hand.
/// </summary>
public static class GatewayRuntimeSettings
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Settings = new(Load);

    public static IReadOnlyDictionary<string, string> Environment => Settings.Value;

    private static IReadOnlyDictionary<string, string> Load()
    {
        var path = Path.Combine(RepositoryPaths.Root, "src", "OpenCode.Gateway", "Properties", "launchSettings.json");
        var variables = JsonNode.Parse(File.ReadAllText(path))?["profiles"]?["OpenCode.Gateway"]?["environmentVariables"]?.AsObject()
            ?? throw new InvalidOperationException($"{path} has no OpenCode.Gateway profile with environment variables.");
        return variables
            .Where(v => v.Key.StartsWith("DOTNET_", StringComparison.Ordinal))
            .ToDictionary(v => v.Key, v => v.Value!.GetValue<string>());
    }
}
