using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>
/// Every route and every WebSocket method refuses a caller whose roles grant everything but the permission it needs,
/// with a 403 (or a <c>forbidden</c> error) naming that permission. The tables must cover the whole API: a new route
/// or method fails <see cref="The_route_table_covers_every_route_in_the_openapi_document"/> until it is listed.
/// </summary>
[Collection(SecureGatewayCollection.Name)]
public sealed class PermissionCoverageTests(SecureGatewayFixture fixture)
{
    /// <summary>Every permission the API checks; the fixture has a role <c>only-&lt;resource&gt;-&lt;action&gt;</c> granting each alone.</summary>
    private static readonly string[] AllPermissions =
    [
        "agents:read", "agents:write", "agents:use", "conversations:use", "api-keys:manage", "tenants:manage", "audit:read", "mcp:read", "metrics:read",
        "users:impersonate",
    ];

    /// <summary>What anyone may call, and what any authenticated caller may: nothing there to refuse with a 403.</summary>
    private static readonly HashSet<string> RoutesWithoutPermission = ["GET /health", "GET /ready", "GET /openapi/v1.json", "GET /ws", "POST /ws/ticket"];

    /// <summary>Routes the OpenAPI document does not describe (the scrape endpoint and the document itself).</summary>
    private static readonly HashSet<string> UndocumentedRoutes = ["GET /metrics", "GET /openapi/v1.json"];

    private static readonly HashSet<string> MethodsWithoutPermission = ["initialize"];

    private static readonly string ConversationId = "conv-" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// Each route as the OpenAPI document writes it, a body that passes the validation some routes do before they
    /// check the caller, and the permission the route needs. A route checking two permissions has a row for each.
    /// </summary>
    public static TheoryData<string, string, string?, string> Routes => new()
    {
        { "POST", "/agents", "{}", "agents:write" },
        { "GET", "/agents", null, "agents:read" },
        { "GET", "/agents/{agentId}", null, "agents:read" },
        { "PUT", "/agents/{agentId}", "{}", "agents:write" },
        { "DELETE", "/agents/{agentId}", null, "agents:write" },
        { "GET", "/agents/{agentId}/tools", null, "agents:read" },
        { "GET", "/agents/{agentId}/tool-changes", null, "agents:read" },
        { "POST", "/agents/{agentId}/tool-changes/{tool}/accept", null, "agents:write" },
        { "GET", "/agents/{agentId}/mcp-servers", null, "agents:read" },
        { "GET", "/agents/{agentId}/mcp-servers", null, "mcp:read" },
        { "POST", "/conversations", """{ "agentId": "agent-x" }""", "agents:use" },
        { "GET", "/conversations", null, "conversations:use" },
        { "GET", "/conversations/{conversationId}", null, "conversations:use" },
        { "PATCH", "/conversations/{conversationId}", """{ "permissions": {} }""", "conversations:use" },
        { "DELETE", "/conversations/{conversationId}", null, "conversations:use" },
        { "GET", "/conversations/{conversationId}/messages", null, "conversations:use" },
        { "POST", "/conversations/{conversationId}/messages", """{ "message": "hi" }""", "conversations:use" },
        { "POST", "/conversations/{conversationId}/cancel", null, "conversations:use" },
        { "GET", "/conversations/{conversationId}/approvals", null, "conversations:use" },
        { "POST", "/conversations/{conversationId}/approvals/{approvalId}", """{ "decision": "once" }""", "conversations:use" },
        { "GET", "/conversations/{conversationId}/events", null, "conversations:use" },
        // An unknown role fails validation after the check, so the control with every permission issues no key.
        { "POST", "/admin/api-keys", """{ "name": "x", "roles": ["no-such-role"] }""", "api-keys:manage" },
        // A key named after another user acts as that user.
        { "POST", "/admin/api-keys", """{ "name": "x", "roles": ["no-such-role"] }""", "users:impersonate" },
        { "GET", "/admin/api-keys", null, "api-keys:manage" },
        { "DELETE", "/admin/api-keys/{keyId}", null, "api-keys:manage" },
        { "GET", "/admin/audit", null, "audit:read" },
        { "GET", "/mcp/servers", null, "mcp:read" },
        { "GET", "/metrics", null, "metrics:read" },
    };

    /// <summary>Each WebSocket method, params it accepts, and the permission it needs.</summary>
    public static TheoryData<string, string, string> WebSocketMethods => new()
    {
        { "agents.create", "{}", "agents:write" },
        { "agents.get", """{ "agentId": "agent-x" }""", "agents:read" },
        { "agents.list", "{}", "agents:read" },
        { "conversations.create", """{ "agentId": "agent-x" }""", "agents:use" },
        { "conversations.subscribe", $$"""{ "conversationId": "{{ConversationId}}" }""", "conversations:use" },
        { "conversations.unsubscribe", $$"""{ "conversationId": "{{ConversationId}}" }""", "conversations:use" },
        { "conversations.cancel", $$"""{ "conversationId": "{{ConversationId}}" }""", "conversations:use" },
        { "messages.send", $$"""{ "conversationId": "{{ConversationId}}", "message": "hi" }""", "conversations:use" },
        { "approvals.reply", $$"""{ "conversationId": "{{ConversationId}}", "approvalId": "appr-x", "decision": "once" }""", "conversations:use" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_route_refuses_a_caller_lacking_exactly_its_permission(string method, string path, string? body, string permission)
    {
        using var lacking = Caller(AllPermissions.Where(p => p != permission));
        using var holding = Caller(AllPermissions);

        using var refused = await SendAsync(lacking, method, path, body);
        using var allowed = await SendAsync(holding, method, path, body);

        Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {(int)refused.StatusCode} {await refused.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("forbidden", problem["code"]!.GetValue<string>());
        Assert.Equal(permission, problem["permission"]!.GetValue<string>());
        Assert.Contains(permission, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        // The control: with that permission too, the same request is not refused (so it is this permission the route needs).
        Assert.True(allowed.StatusCode != HttpStatusCode.Forbidden, $"{method} {path} with every permission: {await allowed.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [MemberData(nameof(WebSocketMethods))]
    public async Task A_websocket_method_refuses_a_caller_lacking_exactly_its_permission(string method, string parameters, string permission)
    {
        await using var lacking = await ConnectAsync(AllPermissions.Where(p => p != permission));
        await using var holding = await ConnectAsync(AllPermissions);

        var refused = await lacking.RequestAsync(method, JsonNode.Parse(parameters));
        var allowed = await holding.RequestAsync(method, JsonNode.Parse(parameters));

        var error = refused["error"] ?? throw new Xunit.Sdk.XunitException($"{method} answered {refused.ToJsonString()}");
        Assert.Equal(-32003, error["code"]!.GetValue<int>());
        Assert.Equal("forbidden", error["data"]!["code"]!.GetValue<string>());
        Assert.Contains(permission, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEqual("forbidden", allowed["error"]?["data"]?["code"]?.GetValue<string>());
    }

    /// <summary>Routes with a body or a query, and one each refuses as invalid: the permission is checked first.</summary>
    public static TheoryData<string, string, string?, string> InvalidBodies => new()
    {
        { "GET", "/conversations/{conversationId}/messages?limit=0", null, "conversations:use" },
        { "GET", "/conversations/{conversationId}/events?after=x", null, "conversations:use" },
        { "POST", "/agents", """{ "name": "" }""", "agents:write" },
        { "POST", "/conversations", """{ "agentId": "agent-x", "message": " " }""", "agents:use" },
        { "PATCH", "/conversations/{conversationId}", "[]", "conversations:use" },
        { "POST", "/conversations/{conversationId}/messages", """{ "message": "" }""", "conversations:use" },
        { "POST", "/conversations/{conversationId}/approvals/{approvalId}", """{ "decision": "maybe" }""", "conversations:use" },
        { "POST", "/admin/api-keys", """{ "name": "" }""", "api-keys:manage" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task A_caller_lacking_the_permission_is_refused_before_its_body_is_validated(string method, string path, string? body, string permission)
    {
        using var lacking = Caller(AllPermissions.Where(p => p != permission));
        using var holding = Caller(AllPermissions);

        using var refused = await SendAsync(lacking, method, path, body);
        using var invalid = await SendAsync(holding, method, path, body);

        Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {(int)refused.StatusCode} {await refused.Content.ReadAsStringAsync()}");
        Assert.Equal(permission, (await refused.Content.ReadFromJsonAsync<JsonObject>())!["permission"]!.GetValue<string>());
        // The control: with the permission, the body is what is refused.
        Assert.True(invalid.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} with every permission: {(int)invalid.StatusCode} {await invalid.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("conversations.create", """{ "agentId": "agent-x", "message": " " }""", "agents:use")]
    [InlineData("messages.send", """{ "conversationId": "conv-00000000000000000000000000000000", "message": "" }""", "conversations:use")]
    [InlineData("approvals.reply", """{ "conversationId": "conv-00000000000000000000000000000000", "approvalId": "appr-x", "decision": "maybe" }""", "conversations:use")]
    [InlineData("agents.create", "[]", "agents:write")]
    [InlineData("agents.get", "{}", "agents:read")]
    [InlineData("conversations.subscribe", "{}", "conversations:use")]
    [InlineData("conversations.unsubscribe", "{}", "conversations:use")]
    [InlineData("conversations.cancel", "{}", "conversations:use")]
    [InlineData("messages.send", "{}", "conversations:use")]
    public async Task A_websocket_caller_lacking_the_permission_is_refused_before_its_params_are_validated(string method, string parameters, string permission)
    {
        await using var lacking = await ConnectAsync(AllPermissions.Where(p => p != permission));
        await using var holding = await ConnectAsync(AllPermissions);

        var refused = await lacking.RequestAsync(method, JsonNode.Parse(parameters));
        var invalid = await holding.RequestAsync(method, JsonNode.Parse(parameters));

        Assert.Equal(permission, refused["error"]?["data"]?["permission"]?.GetValue<string>());
        // The control: with the permission, the params are what is refused.
        var error = invalid["error"] ?? throw new Xunit.Sdk.XunitException($"{method} answered {invalid.ToJsonString()}");
        Assert.NotEqual("forbidden", error["data"]?["code"]?.GetValue<string>());
    }

    [Fact]
    public async Task The_route_table_covers_every_route_in_the_openapi_document()
    {
        var document = (await fixture.Anonymous.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        var documented = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}"))
            .ToHashSet();
        var tabled = Routes.Select(row => $"{row[0]} {row[1]}").ToHashSet();

        Assert.Empty(documented.Except(tabled).Except(RoutesWithoutPermission));
        Assert.Empty(tabled.Union(RoutesWithoutPermission).Except(documented).Except(UndocumentedRoutes));
    }

    [Fact]
    public async Task The_websocket_table_covers_every_method_the_server_announces()
    {
        await using var socket = await ConnectAsync([]);

        var announced = (await socket.RequestAsync("initialize", new { clientInfo = new { name = "tests" } }))["result"]!["capabilities"]!["methods"]!
            .AsArray().Select(m => m!.GetValue<string>()).ToHashSet();
        var tabled = WebSocketMethods.Select(row => (string)row[0]).ToHashSet();

        Assert.Empty(announced.Except(tabled).Except(MethodsWithoutPermission));
        Assert.Empty(tabled.Except(announced));
    }

    [Fact]
    public async Task What_needs_no_permission_answers_a_caller_without_roles()
    {
        using var nobody = Caller([]);
        await using var socket = await ConnectAsync([]);

        Assert.Equal(HttpStatusCode.OK, (await nobody.PostAsync("/ws/ticket", null)).StatusCode);
        var notUpgraded = await nobody.GetAsync("/ws");
        Assert.Equal("websocket_expected", (await notUpgraded.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>());
        Assert.NotNull((await socket.RequestAsync("initialize"))["result"]);
    }

    private HttpClient Caller(IEnumerable<string> permissions) =>
        fixture.ClientWithToken(fixture.Token("perm-" + Guid.NewGuid().ToString("N")[..8], roles: [.. permissions.Select(OnlyRole)]));

    private Task<WebSocketJsonClient> ConnectAsync(IEnumerable<string> permissions)
    {
        var token = fixture.Token("perm-ws-" + Guid.NewGuid().ToString("N")[..8], roles: [.. permissions.Select(OnlyRole)]);
        return fixture.ConnectAsync(o => o.SetRequestHeader("Authorization", "Bearer " + token));
    }

    private static string OnlyRole(string permission) => "only-" + permission.Replace(':', '-');

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, string? body)
    {
        var url = path.Replace("{conversationId}", ConversationId).Replace("{agentId}", "agent-x")
            .Replace("{approvalId}", "appr-x").Replace("{tool}", "t_x").Replace("{keyId}", "key-x");
        using var request = new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
        };
        // An event stream would answer its headers at once when allowed: read no further than them.
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
