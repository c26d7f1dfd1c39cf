using OpenCode.Abstractions;

namespace OpenCode.Runtime.Mcp.Auth;

/// <summary>
/// How requests to one MCP server are authenticated: the header to send, and whether a rejected one can be
/// renewed. One instance per connection, so what it caches (an OAuth 2.0 token) outlives a reconnect.
/// </summary>
internal abstract class McpCredentials
{
    public const string DefaultApiKeyHeader = "X-API-Key";

    /// <summary>The credentials <paramref name="auth"/> describes, or null when it is null.</summary>
    /// <exception cref="McpAuthenticationException">The configuration lacks a field or names an unknown type.</exception>
    /// <param name="tokens">The client OAuth 2.0 token requests go through.</param>
    public static McpCredentials? For(McpAuthConfig? auth, ConfiguredSecrets secrets, TimeProvider time, HttpClient tokens) => auth?.Type switch
    {
        null => null,
        "bearer" => new SecretHeaderCredentials(AuthHeader.Authorization, "Bearer ", Required(auth.TokenRef, "tokenRef", auth), secrets),
        "api_key" => new SecretHeaderCredentials(
            string.IsNullOrWhiteSpace(auth.Header) ? DefaultApiKeyHeader : auth.Header, "", Required(auth.KeyRef, "keyRef", auth), secrets),
        "oauth2" => new OAuth2ClientCredentials(
            TokenUrl(auth),
            Required(auth.ClientId, "clientId", auth),
            Required(auth.ClientSecretRef, "clientSecretRef", auth),
            auth.Scopes ?? [],
            secrets,
            time,
            tokens),
        _ => throw new McpAuthenticationException($"'{auth.Type}' is not an authentication type (expected bearer, api_key or oauth2)"),
    };

    /// <summary>The header to send with a request (or a WebSocket upgrade).</summary>
    /// <exception cref="McpAuthenticationException">The credentials cannot be had.</exception>
    public abstract ValueTask<AuthHeader> GetHeaderAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The server answered 401 to <paramref name="rejected"/>: obtains new credentials if this kind can (true: worth
    /// one more try with <see cref="GetHeaderAsync"/>), else false.
    /// </summary>
    public virtual ValueTask<bool> RenewAsync(AuthHeader rejected, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    private static Uri TokenUrl(McpAuthConfig auth) =>
        Uri.TryCreate(Required(auth.TokenUrl, "tokenUrl", auth), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new McpAuthenticationException($"'{auth.TokenUrl}' is not an http(s) token URL");

    private static string Required(string? value, string field, McpAuthConfig auth) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new McpAuthenticationException($"{auth.Type} authentication needs '{field}'")
            : value;
}
