using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.TestKit;

/// <summary>The test kit's credential checks and OAuth 2.0 token endpoint, driven by plain HTTP and the SDK's client.</summary>
public sealed class TestMcpServerAuthTests
{
    [Fact]
    public async Task A_protected_server_answers_401_without_its_credentials_on_every_transport_and_serves_with_them()
    {
        await using var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.ApiKey("k-123", "X-Key"));
        using var http = new HttpClient();
        using var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };

        var post = await http.PostAsync(server.StreamableHttpUrl, new StringContent("{}", Encoding.UTF8, "application/json"));
        var sse = await http.GetAsync(server.SseUrl, HttpCompletionOption.ResponseHeadersRead);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(server.WebSocketUrl, CancellationToken.None));
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = server.StreamableHttpUrl,
            AdditionalHeaders = new Dictionary<string, string> { ["X-Key"] = "k-123" },
        }));

        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, sse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        Assert.Equal(3, server.RejectedRequests);
        Assert.Contains(await client.ListToolsAsync(), t => t.Name == "echo");
    }

    [Fact]
    public async Task The_token_endpoint_issues_expiring_tokens_to_its_client_only_and_counts_every_request()
    {
        await using var issuer = await TestOAuth2Server.StartAsync("client", "s3cret");
        issuer.TokenLifetime = TimeSpan.FromSeconds(1);
        using var http = new HttpClient();

        var refused = await RequestTokenAsync(http, issuer, "client", "wrong");
        var granted = await RequestTokenAsync(http, issuer, "client", "s3cret", "a b");
        var body = (await granted.Content.ReadFromJsonAsync<JsonObject>())!;
        var token = (string)body["access_token"]!;
        var validAtFirst = issuer.IsValid(token);
        await Task.Delay(TimeSpan.FromSeconds(1.2));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("invalid_client", (string?)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["error"]);
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.Equal(1, (int)body["expires_in"]!);
        Assert.Equal(["a", "b"], issuer.LastScopes);
        Assert.True(validAtFirst);
        Assert.False(issuer.IsValid(token));
        Assert.False(issuer.IsValid("never-issued"));
        Assert.Equal(2, issuer.TokenRequests);
    }

    [Fact]
    public async Task Revoked_tokens_are_no_longer_valid()
    {
        await using var issuer = await TestOAuth2Server.StartAsync("client", "s3cret");
        using var http = new HttpClient();
        var token = (string)(await (await RequestTokenAsync(http, issuer, "client", "s3cret")).Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!;

        issuer.RevokeAll();

        Assert.False(issuer.IsValid(token));
    }

    private static async Task<HttpResponseMessage> RequestTokenAsync(HttpClient http, TestOAuth2Server issuer, string id, string secret, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, issuer.TokenUrl) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));
        return await http.SendAsync(request);
    }
}
