using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>The secrets the test silo is configured with (<c>Secrets:&lt;name&gt;</c>), and auth configs that name them.</summary>
internal static class McpTestSecrets
{
    public const string BearerRef = "test-bearer-token";
    public const string BearerToken = "bearer-3f9c1d2e-secret";
    public const string ApiKeyRef = "test-api-key";
    public const string ApiKey = "apikey-77aa01-secret";
    public const string ClientSecretRef = "test-oauth-client-secret";
    public const string ClientId = "opencode-test-client";
    public const string ClientSecret = "client-secret-5b6c7d-secret";

    /// <summary>Configured, but not to the value any server expects.</summary>
    public const string WrongRef = "test-wrong-token";

    /// <summary>Named by nothing in the configuration.</summary>
    public const string MissingRef = "test-missing-secret";

    public static IReadOnlyDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>
    {
        [$"Secrets:{BearerRef}"] = BearerToken,
        [$"Secrets:{ApiKeyRef}"] = ApiKey,
        [$"Secrets:{ClientSecretRef}"] = ClientSecret,
        [$"Secrets:{WrongRef}"] = "not-the-token",
    };

    public static IEnumerable<string> Values => [BearerToken, ApiKey, ClientSecret];

    public static McpAuthConfig Bearer(string tokenRef = BearerRef) => new() { Type = "bearer", TokenRef = tokenRef };

    public static McpAuthConfig ApiKeyAuth(string? header = null) => new() { Type = "api_key", KeyRef = ApiKeyRef, Header = header };

    public static McpAuthConfig OAuth2(Uri tokenUrl, params string[] scopes) => new()
    {
        Type = "oauth2",
        TokenUrl = tokenUrl.ToString(),
        ClientId = ClientId,
        ClientSecretRef = ClientSecretRef,
        Scopes = scopes,
    };
}
