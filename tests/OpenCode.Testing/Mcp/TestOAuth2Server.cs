using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OpenCode.Testing;

/// <summary>
/// A small real OAuth 2.0 token endpoint on a loopback socket: the client credentials grant (RFC 6749 §4.4) for one
/// client, with the client authenticated by HTTP Basic or form fields. It counts token requests and remembers what
/// it issued, so tests can check caching and renewal, and a <see cref="TestMcpServerAuth.OAuth2"/> server can check tokens.
/// </summary>
public sealed class TestOAuth2Server : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _issued = new(StringComparer.Ordinal);
    private int _tokenRequests;

    private TestOAuth2Server(WebApplication app, string clientId, string clientSecret)
    {
        _app = app;
        ClientId = clientId;
        ClientSecret = clientSecret;
    }

    public string ClientId { get; }

    public string ClientSecret { get; }

    /// <summary><c>http://127.0.0.1:PORT/token</c>.</summary>
    public Uri TokenUrl { get; private set; } = null!;

    /// <summary>The <c>expires_in</c> of tokens issued from now on (whole seconds, at least 1).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Every request to the token endpoint, refused ones included.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>The scopes of the last token request.</summary>
    public IReadOnlyList<string> LastScopes { get; private set; } = [];

    public static async Task<TestOAuth2Server> StartAsync(string clientId, string clientSecret, CancellationToken ct = default)
    {
        var app = LoopbackHost.CreateBuilder(0).Build();
        var server = new TestOAuth2Server(app, clientId, clientSecret);
        app.MapPost("/token", server.IssueAsync);
        await LoopbackHost.StartAsync(app, ct);

        server.TokenUrl = new Uri($"http://127.0.0.1:{LoopbackHost.BoundPort(app)}/token");
        return server;
    }

    /// <summary>Whether <paramref name="token"/> was issued here, is not expired and was not revoked.</summary>
    public bool IsValid(string token) =>
        _issued.TryGetValue(token, out var expires) && DateTimeOffset.UtcNow < expires;

    /// <summary>Forgets every token issued so far: resource servers reject them from now on.</summary>
    public void RevokeAll() => _issued.Clear();

    public ValueTask DisposeAsync() => LoopbackHost.StopAsync(_app);

    private async Task<IResult> IssueAsync(HttpRequest request)
    {
        Interlocked.Increment(ref _tokenRequests);
        if (!request.HasFormContentType)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded");
        }

        var form = await request.ReadFormAsync();
        var (clientId, clientSecret) = ClientCredentials(request, form);
        if (clientId != ClientId || clientSecret != ClientSecret)
        {
            return Error(StatusCodes.Status401Unauthorized, "invalid_client", "unknown client or wrong secret");
        }

        if (form["grant_type"] != "client_credentials")
        {
            return Error(StatusCodes.Status400BadRequest, "unsupported_grant_type", null);
        }

        LastScopes = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var lifetime = Math.Max(1, (int)TokenLifetime.TotalSeconds);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _issued[token] = DateTimeOffset.UtcNow.AddSeconds(lifetime);
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = token,
            ["token_type"] = "Bearer",
            ["expires_in"] = lifetime,
        });
    }

    // RFC 6749 §2.3.1: HTTP Basic with form-encoded id and secret, or client_id/client_secret in the body.
    private static (string? Id, string? Secret) ClientCredentials(HttpRequest request, IFormCollection form)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return (form["client_id"], form["client_secret"]);
        }

        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..]));
            var colon = pair.IndexOf(':');
            return colon < 0 ? (null, null) : (WebUtility.UrlDecode(pair[..colon]), WebUtility.UrlDecode(pair[(colon + 1)..]));
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }

    private static IResult Error(int status, string error, string? description) =>
        Results.Json(
            description is null
                ? new Dictionary<string, string> { ["error"] = error }
                : new Dictionary<string, string> { ["error"] = error, ["error_description"] = description },
            statusCode: status);
}
