using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>
/// <c>Auth:Jwt:UserClaim</c>, <c>TenantClaim</c> and <c>RolesClaim</c>: the caller is read from the configured claims.
/// Every token also carries the default claims (<c>sub</c>, <c>tenant</c>, <c>roles</c>) with other values, which
/// must not count: the same <c>sub</c> for everyone, the other tenant, and the admin role.
/// </summary>
public sealed class JwtClaimNameTests : IAsyncLifetime
{
    private const string Issuer = "https://claims.test";
    private const string Audience = "opencode-claims";
    private const string DecoyTenant = "acme";
    private readonly string _signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
        {
            ["Auth__DefaultTenant"] = DecoyTenant,
            ["Auth__Jwt__Issuer"] = Issuer,
            ["Auth__Jwt__Audience"] = Audience,
            ["Auth__Jwt__SigningKey"] = _signingKey,
            ["Auth__Jwt__UserClaim"] = "email",
            ["Auth__Jwt__TenantClaim"] = "org",
            ["Auth__Jwt__RolesClaim"] = "groups",
        });
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task The_caller_is_the_configured_user_in_the_configured_tenant_with_the_configured_roles()
    {
        using var ann = Client(email: "ann@globex.test", org: "globex", groups: new[] { "developer" });
        using var bob = Client(email: "bob@globex.test", org: "globex", groups: "user");
        using var carl = Client(email: "carl@acme.test", org: DecoyTenant, groups: "user developer");

        // Roles from groups (an array or a space-separated string), not from roles.
        var agent = await ann.PostAsJsonAsync("/agents", new { name = "Claims agent", model = new { provider = "openai", name = "m" } });
        Assert.Equal(HttpStatusCode.Created, agent.StatusCode);
        var agentId = (await agent.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsJsonAsync("/agents", new { name = "x", model = new { provider = "openai", name = "m" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ann.GetAsync("/admin/api-keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await carl.PostAsJsonAsync("/agents", new { name = "y", model = new { provider = "openai", name = "m" } })).StatusCode);

        // The tenant from org: the agent is globex's, so bob sees it and carl (acme) does not.
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/agents/{agentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await carl.GetAsync($"/agents/{agentId}")).StatusCode);

        // The user from email: bob's conversation is not ann's, though both tokens have the same sub.
        var created = await bob.PostAsJsonAsync("/conversations", new { agentId });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var conversationId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/conversations/{conversationId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ann.GetAsync($"/conversations/{conversationId}")).StatusCode);
        var mine = (await bob.GetFromJsonAsync<JsonObject>("/conversations"))!.ToJsonString();
        Assert.Contains(conversationId, mine, StringComparison.Ordinal);
        Assert.DoesNotContain(conversationId, (await ann.GetFromJsonAsync<JsonObject>("/conversations"))!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_without_the_configured_user_claim_is_refused()
    {
        using var client = Client(email: null, org: "globex", groups: "user");

        var response = await client.GetAsync("/agents");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("'email'", (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>A client whose HS256 token has the configured claims (when not null) and the decoy default ones.</summary>
    private HttpClient Client(string? email, string org, object groups)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "shared-subject",
            ["tenant"] = DecoyTenant,
            ["roles"] = new[] { "admin" },
            ["org"] = org,
            ["groups"] = groups,
        };
        if (email is not null)
        {
            claims["email"] = email;
        }

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_signingKey)), SecurityAlgorithms.HmacSha256),
        });
        var client = new HttpClient { BaseAddress = _gateway.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
