using Microsoft.AspNetCore.Http;

namespace OpenCode.Testing;

/// <summary>What the test MCP server demands of every request (HTTP and the WebSocket upgrade); others get 401.</summary>
public sealed class TestMcpServerAuth
{
    private readonly Func<HttpRequest, bool> _allows;

    private TestMcpServerAuth(Func<HttpRequest, bool> allows) => _allows = allows;

    /// <summary><c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public static TestMcpServerAuth Bearer(string token) =>
        new(request => request.Headers.Authorization == $"Bearer {token}");

    /// <summary>An API key in <paramref name="header"/>.</summary>
    public static TestMcpServerAuth ApiKey(string key, string header = "X-API-Key") =>
        new(request => request.Headers[header] == key);

    /// <summary>A bearer token that <paramref name="issuer"/> issued and that has not expired or been revoked.</summary>
    public static TestMcpServerAuth OAuth2(TestOAuth2Server issuer) =>
        new(request => request.Headers.Authorization.ToString() is { } value
            && value.StartsWith("Bearer ", StringComparison.Ordinal)
            && issuer.IsValid(value["Bearer ".Length..]));

    internal bool Allows(HttpRequest request) => _allows(request);
}
