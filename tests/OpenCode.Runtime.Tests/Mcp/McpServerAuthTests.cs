using OpenCode.Abstractions;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>
/// Authentication to MCP servers over every network transport, against the test MCP server demanding credentials
/// and the test kit's OAuth 2.0 token endpoint. Secrets come from the silo's <c>Secrets:</c> configuration.
/// </summary>
[Collection(McpClusterCollection.Name)]
public sealed class McpServerAuthTests(McpCluster mcp)
{
    public static TheoryData<McpTransport> Transports => [McpTransport.StreamableHttp, McpTransport.Sse, McpTransport.WebSocket];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_bearer_token_from_the_secrets_is_sent_and_accepted(McpTransport transport)
    {
        await using var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.Bearer(McpTestSecrets.BearerToken));
        var spec = Spec(server, transport, McpTestSecrets.Bearer());
        var grain = mcp.Connection(spec);

        var tools = await grain.ListToolsAsync(spec);
        var echo = await grain.CallToolAsync(spec, "echo", """{"message":"authenticated"}""");

        Assert.Contains(tools, t => t.Name == "echo");
        Assert.Equal(new McpToolResult(false, "authenticated"), echo);
        Assert.NotEmpty(server.ReceivedAuthorizations);
        Assert.All(server.ReceivedAuthorizations, value => Assert.Equal($"Bearer {McpTestSecrets.BearerToken}", value));
        Assert.Equal(0, server.RejectedRequests);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task An_api_key_is_sent_in_x_api_key_by_default(McpTransport transport)
    {
        await using var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.ApiKey(McpTestSecrets.ApiKey));
        var spec = Spec(server, transport, McpTestSecrets.ApiKeyAuth());

        var echo = await mcp.Connection(spec).CallToolAsync(spec, "echo", """{"message":"keyed"}""");

        Assert.Equal(new McpToolResult(false, "keyed"), echo);
        Assert.Empty(server.ReceivedAuthorizations);
    }

    [Theory]
    [InlineData(McpTransport.StreamableHttp)]
    [InlineData(McpTransport.WebSocket)]
    public async Task An_api_key_goes_in_the_configured_header(McpTransport transport)
    {
        await using var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.ApiKey(McpTestSecrets.ApiKey, "X-Custom-Key"));
        var spec = Spec(server, transport, McpTestSecrets.ApiKeyAuth("X-Custom-Key"));

        var echo = await mcp.Connection(spec).CallToolAsync(spec, "echo", """{"message":"custom header"}""");

        Assert.Equal(new McpToolResult(false, "custom header"), echo);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_rejected_token_makes_the_server_unavailable_with_the_401_as_the_reason(McpTransport transport)
    {
        await using var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.Bearer(McpTestSecrets.BearerToken));
        var spec = Spec(server, transport, McpTestSecrets.Bearer(McpTestSecrets.WrongRef));
        var grain = mcp.Connection(spec);

        var listing = await Assert.ThrowsAsync<McpServerUnavailableException>(() => grain.ListToolsAsync(spec));
        var call = await grain.CallToolAsync(spec, "echo", """{"message":"x"}""");

        Assert.Contains("401", listing.Message);
        Assert.True(call.IsError);
        Assert.Contains("401", call.Text);
        Assert.True(server.RejectedRequests > 0);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_secret_that_is_not_configured_makes_the_server_unavailable_with_a_clear_error(McpTransport transport)
    {
        await using var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.Bearer(McpTestSecrets.BearerToken));
        var spec = Spec(server, transport, McpTestSecrets.Bearer(McpTestSecrets.MissingRef));
        var grain = mcp.Connection(spec);

        var listing = await Assert.ThrowsAsync<McpServerUnavailableException>(() => grain.ListToolsAsync(spec));
        var call = await grain.CallToolAsync(spec, "echo", """{"message":"x"}""");

        var expected = $"MCP server 'secured' is unavailable: the secret '{McpTestSecrets.MissingRef}' is not configured (set Secrets:{McpTestSecrets.MissingRef}";
        Assert.StartsWith(expected, listing.Message);
        Assert.StartsWith(expected, call.Text);
        Assert.Empty(server.ReceivedAuthorizations); // nothing was sent without the credentials
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task An_oauth2_token_is_fetched_once_and_reused_across_a_reconnect(McpTransport transport)
    {
        await using var issuer = await TestOAuth2Server.StartAsync(McpTestSecrets.ClientId, McpTestSecrets.ClientSecret);
        var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.OAuth2(issuer));
        var port = server.StreamableHttpUrl.Port;
        var spec = Spec(server, transport, McpTestSecrets.OAuth2(issuer.TokenUrl, "tools:read", "tools:call"));
        var grain = mcp.Connection(spec);
        Assert.Equal(new McpToolResult(false, "one"), await grain.CallToolAsync(spec, "echo", """{"message":"one"}"""));
        Assert.Equal(new McpToolResult(false, "two"), await grain.CallToolAsync(spec, "echo", """{"message":"two"}"""));

        await server.DisposeAsync();
        Assert.True((await grain.CallToolAsync(spec, "echo", """{"message":"down"}""")).IsError);
        await using var restarted = await TestMcpHttpServer.StartAsync(port, TestMcpServerAuth.OAuth2(issuer));
        var three = await grain.CallToolAsync(spec, "echo", """{"message":"three"}""");

        Assert.Equal(new McpToolResult(false, "three"), three);
        Assert.Equal(1, issuer.TokenRequests);
        Assert.Equal(["tools:read", "tools:call"], issuer.LastScopes);
        Assert.Equal(0, restarted.RejectedRequests);
    }

    [Fact]
    public async Task An_oauth2_token_is_renewed_before_it_expires()
    {
        await using var issuer = await TestOAuth2Server.StartAsync(McpTestSecrets.ClientId, McpTestSecrets.ClientSecret);
        issuer.TokenLifetime = TimeSpan.FromSeconds(1);
        await using var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.OAuth2(issuer));
        var spec = Spec(server, McpTransport.StreamableHttp, McpTestSecrets.OAuth2(issuer.TokenUrl));
        var grain = mcp.Connection(spec);
        Assert.Equal(new McpToolResult(false, "one"), await grain.CallToolAsync(spec, "echo", """{"message":"one"}"""));
        Assert.Equal(1, issuer.TokenRequests);

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var two = await grain.CallToolAsync(spec, "echo", """{"message":"two"}""");

        Assert.Equal(new McpToolResult(false, "two"), two);
        Assert.Equal(2, issuer.TokenRequests);
        Assert.Equal(0, server.RejectedRequests); // renewed ahead of expiry, not after a rejection
    }

    [Theory]
    [InlineData(McpTransport.StreamableHttp)]
    [InlineData(McpTransport.WebSocket)]
    public async Task A_401_for_an_oauth2_token_renews_it_once_and_the_call_succeeds(McpTransport transport)
    {
        await using var issuer = await TestOAuth2Server.StartAsync(McpTestSecrets.ClientId, McpTestSecrets.ClientSecret);
        var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.OAuth2(issuer));
        var port = server.StreamableHttpUrl.Port;
        var spec = Spec(server, transport, McpTestSecrets.OAuth2(issuer.TokenUrl));
        var grain = mcp.Connection(spec);
        Assert.Equal(new McpToolResult(false, "one"), await grain.CallToolAsync(spec, "echo", """{"message":"one"}"""));

        issuer.RevokeAll();
        if (transport == McpTransport.WebSocket)
        {
            // A WebSocket is authenticated once, at the upgrade: a new connection meets the revoked token.
            await server.DisposeAsync();
            server = await TestMcpHttpServer.StartAsync(port, TestMcpServerAuth.OAuth2(issuer));
        }

        await using (server)
        {
            var two = await grain.CallToolAsync(spec, "echo", """{"message":"two"}""");

            Assert.Equal(new McpToolResult(false, "two"), two);
            Assert.Equal(2, issuer.TokenRequests);
            Assert.Equal(1, server.RejectedRequests);
        }
    }

    [Fact]
    public async Task A_token_endpoint_that_refuses_the_client_makes_the_server_unavailable_with_its_oauth2_error()
    {
        await using var issuer = await TestOAuth2Server.StartAsync(McpTestSecrets.ClientId, "another-secret");
        await using var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.OAuth2(issuer));
        var spec = Spec(server, McpTransport.StreamableHttp, McpTestSecrets.OAuth2(issuer.TokenUrl));

        var listing = await Assert.ThrowsAsync<McpServerUnavailableException>(() => mcp.Connection(spec).ListToolsAsync(spec));

        Assert.Contains("answered HTTP 401 Unauthorized (invalid_client: unknown client or wrong secret)", listing.Message);
        Assert.Empty(server.ReceivedAuthorizations);
    }

    [Fact]
    public async Task No_secret_value_appears_in_a_spec_or_an_error()
    {
        await using var server = await TestMcpHttpServer.StartAsync(auth: TestMcpServerAuth.Bearer("something-else"));
        var spec = Spec(server, McpTransport.StreamableHttp, McpTestSecrets.Bearer());

        var listing = await Assert.ThrowsAsync<McpServerUnavailableException>(() => mcp.Connection(spec).ListToolsAsync(spec));

        Assert.Contains(McpTestSecrets.BearerRef, spec.ToString());
        Assert.All(McpTestSecrets.Values, secret =>
        {
            Assert.DoesNotContain(secret, spec.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, spec.Key, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, listing.Message, StringComparison.Ordinal);
        });
    }

    private static McpServerSpec Spec(TestMcpHttpServer server, McpTransport transport, McpAuthConfig auth) => transport switch
    {
        McpTransport.WebSocket => McpServerSpec.WebSocket("secured", server.WebSocketUrl.ToString(), callTimeoutSeconds: 10, auth: auth),
        McpTransport.Sse => McpServerSpec.Http("secured", server.SseUrl.ToString(), McpTransport.Sse, 10, auth),
        _ => McpServerSpec.Http("secured", server.StreamableHttpUrl.ToString(), transport, 10, auth),
    };
}
