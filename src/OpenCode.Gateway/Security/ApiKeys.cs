using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace OpenCode.Gateway.Security;

/// <summary>How API keys look, are hashed and are read from a request.</summary>
public static class ApiKeys
{
    public const string Header = "X-API-Key";

    /// <summary>The prefix of issued keys: tells a key from a JWT and makes leaked keys easy to scan for.</summary>
    public const string Prefix = "oc_";

    /// <summary>A new key: 256 random bits.</summary>
    public static string New() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>A new key id, shown in lists and audit entries (never the key).</summary>
    public static string NewId() => "key-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>
    /// SHA-256 of the key: keys are random and long, so a fast hash is as good as a slow one and costs
    /// microseconds per request.
    /// </summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The key in <c>X-API-Key</c>, else the token of <c>Authorization: Bearer</c>.</summary>
    public static string? Read(HttpRequest request) =>
        request.Headers[Header] is { Count: 1 } header && !string.IsNullOrEmpty(header[0]) ? header[0] : BearerToken(request);

    public static string? BearerToken(HttpRequest request)
    {
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7
            ? authorization[7..].Trim()
            : null;
    }

    /// <summary>A compact JWS: three base64url parts (a JWT), as opposed to an API key.</summary>
    public static bool LooksLikeJwt(string token) => token.StartsWith("eyJ", StringComparison.Ordinal) && token.Count(c => c == '.') == 2;
}
