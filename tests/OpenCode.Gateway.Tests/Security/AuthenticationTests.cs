using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using OpenCode.Gateway.Tests.Streaming;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Security;

[Collection(SecureGatewayCollection.Name)]
public sealed class AuthenticationTests(SecureGatewayFixture fixture)
{
    /// <summary>
    /// Every route the OpenAPI document describes, as <c>METHOD /path</c>: the document must list exactly these, so a
    /// route that drops out (or comes in without being added here, and to the refusal checks with it) is noticed.
    /// </summary>
    private static readonly string[] DocumentedRoutes =
    [
        "GET /health", "GET /ready",
        "POST /admin/api-keys", "GET /admin/api-keys", "DELETE /admin/api-keys/{keyId}", "GET /admin/audit",
        "POST /agents", "GET /agents", "GET /agents/{agentId}", "PUT /agents/{agentId}", "DELETE /agents/{agentId}",
        "GET /agents/{agentId}/tools", "GET /agents/{agentId}/tool-changes", "POST /agents/{agentId}/tool-changes/{tool}/accept",
        "GET /agents/{agentId}/mcp-servers",
        "POST /conversations", "GET /conversations", "GET /conversations/{conversationId}", "PATCH /conversations/{conversationId}",
        "DELETE /conversations/{conversationId}", "POST /conversations/{conversationId}/messages", "GET /conversations/{conversationId}/messages",
        "POST /conversations/{conversationId}/cancel", "GET /conversations/{conversationId}/approvals",
        "POST /conversations/{conversationId}/approvals/{approvalId}", "GET /conversations/{conversationId}/events",
        "GET /ws", "POST /ws/ticket", "GET /mcp/servers",
    ];

    /// <summary>The routes the document leaves out: the document itself and the Prometheus scrape endpoint.</summary>
    private static readonly string[] UndocumentedRoutes = ["GET /openapi/v1.json", "GET /metrics"];

    /// <summary>What anyone may call: liveness, readiness and the API's description.</summary>
    private static readonly HashSet<string> PublicRoutes = ["GET /health", "GET /ready", "GET /openapi/v1.json"];

    private const string UnknownKey = "oc_not-a-key-this-server-issued";

    [Fact]
    public async Task Every_endpoint_in_the_openapi_document_refuses_a_request_without_credentials()
    {
        var document = (await fixture.Anonymous.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        var routes = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}"));
        Assert.Equal(DocumentedRoutes.Order(StringComparer.Ordinal), routes.Order(StringComparer.Ordinal));

        await AssertEveryRouteRefusesAsync(credential: null);

        foreach (var route in PublicRoutes)
        {
            var response = await fixture.Anonymous.GetAsync(route.Split(' ')[1]);
            Assert.True(response.IsSuccessStatusCode, route);
        }
    }

    [Theory]
    [InlineData("unknown key in X-API-Key")]
    [InlineData("unknown key as bearer")]
    [InlineData("string that is neither key nor token")]
    [InlineData("malformed token")]
    [InlineData("forged token")]
    [InlineData("expired token")]
    [InlineData("token for another audience")]
    [InlineData("token from another issuer")]
    [InlineData("unsigned token")]
    public async Task Every_endpoint_refuses_a_bad_credential(string kind)
    {
        await AssertEveryRouteRefusesAsync(BadCredential(kind));
    }

    [Fact]
    public async Task A_valid_token_authenticates_and_names_the_caller()
    {
        using var client = fixture.As("alice-auth", roles: "developer");

        var agentId = await fixture.CreateAgentAsync(client);
        var conversationId = await fixture.CreateConversationAsync(client, agentId);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/conversations/{conversationId}")).StatusCode);
    }

    [Fact]
    public async Task Expired_forged_wrong_audience_wrong_issuer_and_unsigned_tokens_are_refused_with_the_reason()
    {
        var cases = new (string Token, string Reason)[]
        {
            (fixture.Token("mallory", expires: DateTime.UtcNow.AddMinutes(-5)), "expired"),
            (fixture.Token("mallory", signingKey: Convert.ToBase64String(new byte[48])), "signature"),
            (fixture.Token("mallory", audience: "someone-else"), "audience"),
            (fixture.Token("mallory", issuer: "https://evil.test"), "issuer"),
            (fixture.UnsignedToken("mallory"), ""),
        };

        foreach (var (token, reason) in cases)
        {
            using var client = fixture.ClientWithToken(token);
            var response = await client.GetAsync("/agents");

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.True(problem["detail"]!.GetValue<string>().Contains(reason, StringComparison.Ordinal), $"{reason}: {problem}");
            Assert.DoesNotContain(token, problem.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_token_without_a_tenant_claim_belongs_to_the_default_tenant()
    {
        using var withTenant = fixture.As("dora", roles: "developer");
        using var withoutTenant = fixture.ClientWithToken(fixture.Token("dora", tenant: null, roles: ["developer"]));
        var agentId = await fixture.CreateAgentAsync(withTenant);

        Assert.Equal(HttpStatusCode.OK, (await withoutTenant.GetAsync($"/agents/{agentId}")).StatusCode);
    }

    [Fact]
    public async Task A_websocket_needs_credentials_in_a_header_or_a_single_use_ticket()
    {
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => fixture.ConnectAsync(_ => { }));
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);

        await using (var byHeader = await fixture.ConnectAsync(o => o.SetRequestHeader("X-API-Key", fixture.AdminKey)))
        {
            Assert.NotNull((await byHeader.RequestAsync("agents.list"))["result"]);
        }

        using var client = fixture.As("walter");
        var ticket = (await (await client.PostAsync("/ws/ticket", null)).Content.ReadFromJsonAsync<JsonObject>())!["ticket"]!.GetValue<string>();
        await using (var byTicket = await fixture.ConnectAsync(_ => { }, $"ticket={Uri.EscapeDataString(ticket)}"))
        {
            Assert.NotNull((await byTicket.RequestAsync("agents.list"))["result"]);
        }

        // Single use: the same ticket again is refused.
        await Assert.ThrowsAsync<WebSocketException>(() => fixture.ConnectAsync(_ => { }, $"ticket={Uri.EscapeDataString(ticket)}"));
    }

    [Fact]
    public async Task A_websocket_opened_with_a_token_closes_when_the_token_expires()
    {
        // Expires in 3 s: valid when the socket opens (the validator allows 30 s of clock skew, the socket none).
        var token = fixture.Token("short-lived", roles: ["user"], expires: DateTime.UtcNow.AddSeconds(3));
        await using var socket = await fixture.ConnectAsync(o => o.SetRequestHeader("Authorization", "Bearer " + token));
        Assert.NotNull((await socket.RequestAsync("agents.list"))["result"]);

        await socket.Closed.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        Assert.Equal("credentials expired", socket.CloseStatusDescription);
    }

    [Fact]
    public async Task A_streamed_turn_opened_with_a_token_ends_when_the_token_expires()
    {
        var agentId = await fixture.CreateAgentAsync();
        // The reply comes long after the token expires: the stream must not wait for it.
        fixture.Model.Script($"model-{agentId}", FakeReply.Text("too late").WithDelay(TimeSpan.FromSeconds(30)));
        using var owner = fixture.As("short-lived-stream");
        var conversationId = await fixture.CreateConversationAsync(owner, agentId);
        // Valid when the stream opens (the validator allows 30 s of clock skew, the stream none).
        using var client = fixture.ClientWithToken(fixture.Token("short-lived-stream", roles: ["user"], expires: DateTime.UtcNow.AddSeconds(3)));
        using var response = await EventStreams.PostMessageAsync(client, conversationId, "hello");
        using var reader = await EventStreams.ReaderAsync(response);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        var events = new List<ServerSentEvent>();
        while (await reader.ReadAsync(deadline.Token) is { } e)
        {
            events.Add(e);
        }

        // The turn started (and goes on in its grain); its end never reaches the stream.
        Assert.Equal("turn.started", events[0].Type);
        Assert.DoesNotContain(events, EventStreams.IsTerminal);
        Assert.Contains("unauthorized: credentials expired", reader.Comments);
    }

    [Fact]
    public async Task A_websocket_ticket_expires()
    {
        using var client = fixture.As("wanda");
        var ticket = (await (await client.PostAsync("/ws/ticket", null)).Content.ReadFromJsonAsync<JsonObject>())!["ticket"]!.GetValue<string>();

        await Task.Delay(TimeSpan.FromSeconds(SecureGatewayFixture.TicketLifetimeSeconds + 0.5));

        await Assert.ThrowsAsync<WebSocketException>(() => fixture.ConnectAsync(_ => { }, $"ticket={Uri.EscapeDataString(ticket)}"));
    }

    /// <summary>A credential this server must refuse (named for the theory's data), as the header that carries it.</summary>
    private (string Header, string Value) BadCredential(string kind) => kind switch
    {
        "unknown key in X-API-Key" => ("X-API-Key", UnknownKey),
        "unknown key as bearer" => Bearer(UnknownKey),
        "string that is neither key nor token" => Bearer("just-some-string"),
        "malformed token" => Bearer("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"),
        "forged token" => Bearer(fixture.Token("mallory", roles: ["admin"], signingKey: Convert.ToBase64String(new byte[48]))),
        "expired token" => Bearer(fixture.Token("mallory", roles: ["admin"], expires: DateTime.UtcNow.AddMinutes(-5))),
        "token for another audience" => Bearer(fixture.Token("mallory", roles: ["admin"], audience: "someone-else")),
        "token from another issuer" => Bearer(fixture.Token("mallory", roles: ["admin"], issuer: "https://evil.test")),
        "unsigned token" => Bearer(fixture.UnsignedToken("mallory")),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such bad credential"),
    };

    private static (string Header, string Value) Bearer(string credential) => ("Authorization", "Bearer " + credential);

    /// <summary>
    /// Every route but the public ones, the SSE forms of the streaming routes and the WebSocket upgrade, sent with
    /// <paramref name="credential"/> (or none): each must be a 401 problem.
    /// </summary>
    private async Task AssertEveryRouteRefusesAsync((string Header, string Value)? credential)
    {
        var requests = DocumentedRoutes.Concat(UndocumentedRoutes).Where(r => !PublicRoutes.Contains(r))
            .Select(route => (Route: route, Accept: (string?)null))
            .Concat([
                ("GET /conversations/{conversationId}/events", "text/event-stream"),
                ("POST /conversations/{conversationId}/messages", "text/event-stream"),
            ]);
        foreach (var (route, accept) in requests)
        {
            var (method, path) = (route.Split(' ')[0], route.Split(' ')[1]);
            // Parameters get values of the right shape, so a route's own validation cannot answer first.
            var url = path.Replace("{conversationId}", "conv-" + new string('a', 32)).Replace("{agentId}", "agent-x")
                .Replace("{approvalId}", "appr-x").Replace("{tool}", "t_x").Replace("{keyId}", "key-x");
            using var request = new HttpRequestMessage(new HttpMethod(method), url)
            {
                Content = method is "POST" or "PUT" or "PATCH" ? JsonContent.Create(new { message = "hello" }) : null,
            };
            if (accept is not null)
            {
                request.Headers.Accept.ParseAdd(accept);
            }

            if (credential is { } sent)
            {
                request.Headers.TryAddWithoutValidation(sent.Header, sent.Value);
            }

            using var response = await fixture.Anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

            var what = $"{route}{(accept is null ? "" : " (" + accept + ")")}";
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("unauthorized", (await response.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>());
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        }

        var upgrade = await Assert.ThrowsAsync<WebSocketException>(() => fixture.ConnectAsync(o =>
        {
            if (credential is { } sent)
            {
                o.SetRequestHeader(sent.Header, sent.Value);
            }
        }));
        Assert.Contains("401", upgrade.Message, StringComparison.Ordinal);
    }
}
