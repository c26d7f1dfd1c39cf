using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>
/// A gateway with authentication on: a bootstrap admin key, HS256 JWTs from a test issuer, a custom role, short
/// WebSocket tickets. Tenant <c>acme</c> is the default one; tests make callers of their own with <see cref="Token"/>.
/// A variant for one test class adds settings (<see cref="ConfigureAsync"/>).
/// </summary>
public class SecureGatewayFixture : IAsyncLifetime
{
    public const string Tenant = "acme";
    public const string Issuer = "https://issuer.test";
    public const string Audience = "opencode-tests";
    public const int TicketLifetimeSeconds = 3;

    public string AdminKey { get; } = "admin-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(20));

    public string SigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    /// <summary>The OpenAI provider key the gateway sends to the (fake) model: it must never show anywhere else.</summary>
    public string ProviderKey { get; } = "sk-test" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public FakeModelServer Model { get; private set; } = null!;

    public GatewayProcess Gateway { get; private set; } = null!;

    public Uri BaseUrl => Gateway.BaseUrl;

    public HttpClient Anonymous { get; } = new();

    public HttpClient Admin => ClientWithKey(AdminKey);

    public async Task InitializeAsync()
    {
        Model = await FakeModelServer.StartAsync();
        var environment = new Dictionary<string, string?>
        {
            ["Auth__BootstrapAdminKey"] = AdminKey,
            ["Auth__DefaultTenant"] = Tenant,
            ["Auth__Jwt__Issuer"] = Issuer,
            ["Auth__Jwt__Audience"] = Audience,
            ["Auth__Jwt__SigningKey"] = SigningKey,
            ["Auth__TicketLifetimeSeconds"] = TicketLifetimeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Auth__Roles__auditor__0"] = "audit:read",
            ["Auth__Roles__keymaster__0"] = "api-keys:manage",
            ["Auth__Roles__keymaster__1"] = "agents:read",
            ["Auth__Roles__keymaster__2"] = "agents:use",
            ["Auth__Roles__keymaster__3"] = "conversations:use",
            ["Auth__Roles__monitoring__0"] = "metrics:read",
            // A role per permission the API checks: callers holding all but one of them (PermissionCoverageTests).
            ["Auth__Roles__only-agents-read__0"] = "agents:read",
            ["Auth__Roles__only-agents-write__0"] = "agents:write",
            ["Auth__Roles__only-agents-use__0"] = "agents:use",
            ["Auth__Roles__only-conversations-use__0"] = "conversations:use",
            ["Auth__Roles__only-api-keys-manage__0"] = "api-keys:manage",
            ["Auth__Roles__only-tenants-manage__0"] = "tenants:manage",
            ["Auth__Roles__only-audit-read__0"] = "audit:read",
            ["Auth__Roles__only-mcp-read__0"] = "mcp:read",
            ["Auth__Roles__only-metrics-read__0"] = "metrics:read",
            ["Auth__Roles__only-users-impersonate__0"] = "users:impersonate",
            // The fuzz test sends thousands of requests as one caller: no request rate here (limits have tests of their own).
            ["Limits__RequestsPerMinute"] = "0",
            ["Limits__FailedAuthenticationsPerMinute"] = "0",
            ["Providers__openai__ApiKey"] = ProviderKey,
            ["Providers__openai__Endpoint"] = Model.BaseUrl.ToString(),
            // Everything this server logs, for the leak test to search.
            ["Logging__LogLevel__OpenCode"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore.Authentication"] = "Debug",
            // With authentication on, agents may only reach what the operator lists: here, the fake model.
            ["Security__AllowedEndpoints__0"] = "http://127.0.0.1:*",
        };
        await ConfigureAsync(environment);
        Gateway = await GatewayProcess.StartAsync(environment: environment);
        Anonymous.BaseAddress = Gateway.BaseUrl;
    }

    public virtual async Task DisposeAsync()
    {
        Anonymous.Dispose();
        await Gateway.DisposeAsync();
        await Model.DisposeAsync();
    }

    /// <summary>Adds to the gateway's settings before it starts, and starts what they name.</summary>
    protected virtual Task ConfigureAsync(IDictionary<string, string?> environment) => Task.CompletedTask;

    public HttpClient ClientWithKey(string key) => Client(c => c.DefaultRequestHeaders.Add("X-API-Key", key));

    public HttpClient ClientWithToken(string token) =>
        Client(c => c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token));

    /// <summary>A client for a user of <paramref name="tenant"/> holding <paramref name="roles"/>, by JWT.</summary>
    public HttpClient As(string user, string tenant = Tenant, params string[] roles) =>
        ClientWithToken(Token(user, tenant, roles.Length == 0 ? ["user"] : roles));

    /// <summary>An HS256 JWT; every part can be made wrong for the refusal tests.</summary>
    public string Token(
        string user, string? tenant = Tenant, string[]? roles = null, DateTime? expires = null,
        string audience = Audience, string issuer = Issuer, string? signingKey = null)
    {
        var claims = new List<Claim> { new("sub", user) };
        if (tenant is not null)
        {
            claims.Add(new Claim("tenant", tenant));
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            Claims = new Dictionary<string, object> { ["roles"] = roles ?? ["user"] },
            NotBefore = (expires ?? DateTime.UtcNow.AddMinutes(10)).AddMinutes(-20),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey ?? SigningKey)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>A token with <c>alg: none</c> and no signature, otherwise valid.</summary>
    public string UnsignedToken(string user)
    {
        static string Part(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        return $"{Part("""{"alg":"none","typ":"JWT"}""")}.{Part($$"""{"sub":"{{user}}","tenant":"{{Tenant}}","roles":["admin"],"iss":"{{Issuer}}","aud":"{{Audience}}","exp":{{exp}}}""")}.";
    }

    /// <summary>Issues an API key through the admin API; its key and id.</summary>
    public async Task<(string Key, string Id)> IssueKeyAsync(string name, string tenant = Tenant, params string[] roles)
    {
        var response = await Admin.PostAsJsonAsync("/admin/api-keys", new { name, tenant, roles });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return (body["key"]!.GetValue<string>(), body["id"]!.GetValue<string>());
    }

    /// <summary>Creates an agent as the admin; extra top-level fields (e.g. access) merged in.</summary>
    public async Task<string> CreateAgentAsync(HttpClient? client = null, string? extraJson = null)
    {
        var id = "agent-" + Guid.NewGuid().ToString("N")[..10];
        var body = JsonNode.Parse($$"""
            { "id": "{{id}}", "name": "Secure agent",
              "model": { "provider": "openai", "name": "model-{{id}}", "endpoint": "{{Model.BaseUrl}}" } }
            """)!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(extraJson ?? "{}")!.AsObject().ToList())
        {
            body[key] = value?.DeepClone();
        }

        var response = await (client ?? Admin).PostAsJsonAsync("/agents", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return id;
    }

    public async Task<string> CreateConversationAsync(HttpClient client, string agentId)
    {
        var response = await client.PostAsJsonAsync("/conversations", new { agentId });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    public Task<WebSocketJsonClient> ConnectAsync(Action<ClientWebSocketOptions> configure, string? query = null) =>
        WebSocketJsonClient.ConnectAsync(new UriBuilder(WebSocketJsonClient.WebSocketUrl(BaseUrl)) { Query = query ?? "" }.Uri, configure);

    private HttpClient Client(Action<HttpClient> configure)
    {
        var client = new HttpClient { BaseAddress = Gateway.BaseUrl };
        configure(client);
        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class SecureGatewayCollection : ICollectionFixture<SecureGatewayFixture>
{
    public const string Name = "secure gateway";
}
