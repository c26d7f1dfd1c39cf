using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpenCode.Runtime.Mcp.Auth;

/// <summary>
/// OAuth 2.0 client credentials grant (RFC 6749 §4.4): a token is fetched from <c>tokenUrl</c> with the client id and
/// secret (HTTP Basic, §2.3.1), cached until shortly before it expires, fetched again then or when the MCP server
/// rejects it. Concurrent callers share one fetch.
/// </summary>
/// <param name="tokens">The client token requests go through (shared; a redirect is not followed).</param>
internal sealed class OAuth2ClientCredentials(
    Uri tokenUrl, string clientId, string clientSecretRef, IReadOnlyList<string> scopes, ConfiguredSecrets secrets, TimeProvider time, HttpClient tokens)
    : McpCredentials
{
    /// <summary>The most a token is renewed ahead of its expiry (a tenth of its lifetime when that is shorter).</summary>
    internal static readonly TimeSpan MaxRenewalMargin = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private volatile CachedToken? _token;

    public override async ValueTask<AuthHeader> GetHeaderAsync(CancellationToken cancellationToken)
    {
        var token = _token;
        if (token is null || token.IsDue(time.GetUtcNow()))
        {
            token = await FetchAsync(token?.Header, cancellationToken).ConfigureAwait(false);
        }

        return token.Header;
    }

    public override async ValueTask<bool> RenewAsync(AuthHeader rejected, CancellationToken cancellationToken)
    {
        await FetchAsync(rejected, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>A new token, unless another caller replaced <paramref name="stale"/> with a fresh one meanwhile.</summary>
    private async Task<CachedToken> FetchAsync(AuthHeader? stale, CancellationToken cancellationToken)
    {
        await _fetching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is { } current && current.Header != stale && !current.IsDue(time.GetUtcNow()))
            {
                return current;
            }

            var token = await RequestTokenAsync(cancellationToken).ConfigureAwait(false);
            _token = token;
            return token;
        }
        finally
        {
            _fetching.Release();
        }
    }

    private async Task<CachedToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        var secret = secrets.Resolve(clientSecretRef);
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl);
        // §2.3.1: id and secret are form-encoded before they are joined for Basic authentication.
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (scopes.Count > 0)
        {
            form.Add(new("scope", string.Join(' ', scopes)));
        }

        request.Content = new FormUrlEncodedContent(form);
        var requested = time.GetUtcNow();
        HttpResponseMessage response;
        try
        {
            response = await tokens.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new McpAuthenticationException($"the OAuth 2.0 token endpoint {tokenUrl} could not be reached: {exception.Message}", exception);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new McpAuthenticationException(
                    $"the OAuth 2.0 token endpoint {tokenUrl} answered HTTP {(int)response.StatusCode} {response.StatusCode}{ErrorOf(body)}");
            }

            return Parse(body, requested);
        }
    }

    private CachedToken Parse(string body, DateTimeOffset requested)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("access_token", out var accessToken)
                || accessToken.ValueKind != JsonValueKind.String
                || accessToken.GetString() is not { Length: > 0 } value)
            {
                throw new McpAuthenticationException($"the OAuth 2.0 token endpoint {tokenUrl} answered without an access_token");
            }

            // Without expires_in the token is kept until the server rejects it.
            var due = ExpiresIn(root) is { } lifetime
                ? requested + lifetime - TimeSpan.FromTicks(Math.Min(MaxRenewalMargin.Ticks, lifetime.Ticks / 10))
                : DateTimeOffset.MaxValue;
            return new CachedToken(AuthHeader.Bearer(value), due);
        }
        catch (JsonException exception)
        {
            throw new McpAuthenticationException($"the OAuth 2.0 token endpoint {tokenUrl} answered with something other than JSON", exception);
        }
    }

    // expires_in is a number of seconds; some servers send it as a string.
    private static TimeSpan? ExpiresIn(JsonElement root)
    {
        const double maxSeconds = 366 * 24 * 3600; // longer is as good as "a year", and cannot overflow a date
        if (!root.TryGetProperty("expires_in", out var expiresIn))
        {
            return null;
        }

        var seconds = expiresIn.ValueKind switch
        {
            JsonValueKind.Number when expiresIn.TryGetDouble(out var number) => number,
            JsonValueKind.String when double.TryParse(expiresIn.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var text) => text,
            _ => 0,
        };
        return seconds > 0 ? TimeSpan.FromSeconds(Math.Min(seconds, maxSeconds)) : null;
    }

    // RFC 6749 §5.2 error fields, which say why (invalid_client, invalid_scope, ...); they hold no secrets.
    private static string ErrorOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null;
            var description = error is not null && root.TryGetProperty("error_description", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;
            return error is null ? "" : description is null ? $" ({error})" : $" ({error}: {description})";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private sealed record CachedToken(AuthHeader Header, DateTimeOffset Due)
    {
        public bool IsDue(DateTimeOffset now) => now >= Due;
    }
}
