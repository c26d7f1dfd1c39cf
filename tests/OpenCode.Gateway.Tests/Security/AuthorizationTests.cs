using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using OpenCode.Gateway.Security;

namespace OpenCode.Gateway.Tests.Security;

[Collection(SecureGatewayCollection.Name)]
public sealed class AuthorizationTests(SecureGatewayFixture fixture)
{
    [Fact]
    public async Task A_user_cannot_manage_agents_and_the_403_names_the_permission()
    {
        using var user = fixture.As("uma", roles: "user");

        var response = await user.PostAsJsonAsync("/agents", new { name = "nope", model = new { provider = "openai", name = "m" } });

        await AssertForbiddenAsync(response, "agents:write");
        var agentId = await fixture.CreateAgentAsync();
        await AssertForbiddenAsync(await user.DeleteAsync($"/agents/{agentId}"), "agents:write");
        await AssertForbiddenAsync(await user.PutAsJsonAsync($"/agents/{agentId}", new { name = "x", model = new { provider = "openai", name = "m" } }), "agents:write");
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync($"/agents/{agentId}")).StatusCode);
    }

    [Fact]
    public async Task Only_admins_manage_keys_and_read_the_mcp_servers_as_their_roles_say()
    {
        using var developer = fixture.As("devon", roles: "developer");
        using var user = fixture.As("ursula", roles: "user");

        await AssertForbiddenAsync(await developer.GetAsync("/admin/api-keys"), "api-keys:manage");
        await AssertForbiddenAsync(await developer.PostAsJsonAsync("/admin/api-keys", new { name = "x", roles = new[] { "admin" } }), "api-keys:manage");
        await AssertForbiddenAsync(await user.GetAsync("/mcp/servers"), "mcp:read");
        Assert.Equal(HttpStatusCode.OK, (await developer.GetAsync("/mcp/servers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.GetAsync("/admin/api-keys")).StatusCode);
    }

    [Fact]
    public async Task A_configured_role_grants_exactly_its_permissions()
    {
        using var auditor = fixture.As("audrey", roles: "auditor");

        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/admin/audit")).StatusCode);
        await AssertForbiddenAsync(await auditor.GetAsync("/agents"), "agents:read");
        await AssertForbiddenAsync(await auditor.GetAsync("/conversations"), "conversations:use");
    }

    [Fact]
    public async Task Metrics_are_for_a_caller_granted_metrics_read_and_name_no_tenant_user_or_secret()
    {
        using var user = fixture.As("mia", roles: "user");
        var (monitoringKey, _) = await fixture.IssueKeyAsync("prometheus", SecureGatewayFixture.Tenant, "monitoring");
        using var prometheus = fixture.ClientWithToken(monitoringKey);
        var agentId = await fixture.CreateAgentAsync();
        var conversationId = await fixture.CreateConversationAsync(fixture.Admin, agentId);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { message = "hello" })).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Anonymous.GetAsync("/metrics")).StatusCode);
        await AssertForbiddenAsync(await user.GetAsync("/metrics"), "metrics:read");
        var response = await prometheus.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("opencode_turns_total{", text);
        foreach (var secret in new[] { SecureGatewayFixture.Tenant, conversationId, "mia", fixture.AdminKey, monitoringKey, fixture.ProviderKey })
        {
            Assert.DoesNotContain(secret, text);
        }
    }

    [Fact]
    public async Task Managing_keys_grants_no_more_than_the_issuer_holds_and_stays_in_its_tenant()
    {
        using var keymaster = fixture.As("kim", roles: "keymaster");
        var (globexKey, globexKeyId) = await fixture.IssueKeyAsync("globex-bot", "globex", "user");

        Assert.Equal(HttpStatusCode.Created, (await keymaster.PostAsJsonAsync("/admin/api-keys", new { name = "kim", roles = new[] { "user" } })).StatusCode);
        await AssertForbiddenAsync(await keymaster.PostAsJsonAsync("/admin/api-keys", new { name = "kim-boss", user = "kim", roles = new[] { "admin" } }), "*:*");
        await AssertForbiddenAsync(await keymaster.PostAsJsonAsync("/admin/api-keys", new { name = "spy", tenant = "globex", roles = new[] { "user" } }), "tenants:manage");
        await AssertForbiddenAsync(await keymaster.GetAsync("/admin/api-keys?tenant=globex"), "tenants:manage");
        Assert.Equal(HttpStatusCode.NotFound, (await keymaster.DeleteAsync($"/admin/api-keys/{globexKeyId}")).StatusCode);
        using var globex = fixture.ClientWithKey(globexKey);
        Assert.Equal(HttpStatusCode.OK, (await globex.GetAsync("/conversations")).StatusCode);
    }

    [Fact]
    public async Task A_key_for_another_user_needs_users_impersonate()
    {
        using var keymaster = fixture.As("kai", roles: "keymaster");
        using var admin = fixture.As("adele", roles: "admin");
        var agentId = await fixture.CreateAgentAsync();
        var conversationId = await fixture.CreateConversationAsync(keymaster, agentId);

        await AssertForbiddenAsync(await keymaster.PostAsJsonAsync("/admin/api-keys", new { name = "x", user = "alice", roles = new[] { "user" } }), "users:impersonate");
        // The user defaults to the name: a key named after someone else is a key acting as them.
        await AssertForbiddenAsync(await keymaster.PostAsJsonAsync("/admin/api-keys", new { name = "alice", roles = new[] { "user" } }), "users:impersonate");
        var own = await keymaster.PostAsJsonAsync("/admin/api-keys", new { name = "kai-cli", user = "kai", roles = new[] { "user" } });
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        using var kaiCli = fixture.ClientWithKey((await own.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await kaiCli.GetAsync($"/conversations/{conversationId}")).StatusCode);
        // A tenant's admin holds it (through *:*) for the users of its tenant.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/admin/api-keys", new { name = "x", user = "alice", roles = new[] { "user" } })).StatusCode);
    }

    [Fact]
    public async Task A_tenants_admin_stays_in_its_tenant_while_the_operator_reaches_every_tenant()
    {
        var (acmeAdminKey, _) = await fixture.IssueKeyAsync("acme-admin", SecureGatewayFixture.Tenant, "admin");
        using var adminByKey = fixture.ClientWithKey(acmeAdminKey);
        using var adminByToken = fixture.As("ada", roles: "admin");
        var (_, globexKeyId) = await fixture.IssueKeyAsync("globex-bot-" + Guid.NewGuid().ToString("N")[..6], "globex", "user");

        foreach (var admin in new[] { adminByKey, adminByToken })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/api-keys")).StatusCode);
            await AssertForbiddenAsync(await admin.PostAsJsonAsync("/admin/api-keys", new { name = "spy", tenant = "globex", roles = new[] { "admin" } }), "tenants:manage");
            await AssertForbiddenAsync(await admin.GetAsync("/admin/api-keys?tenant=globex"), "tenants:manage");
            Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/admin/api-keys/{globexKeyId}")).StatusCode);
            // Nor can it mint itself a way out: the operator role needs what it lacks.
            await AssertForbiddenAsync(await admin.PostAsJsonAsync("/admin/api-keys", new { name = "ada", roles = new[] { "operator" } }), "tenants:manage");
        }

        // The bootstrap key is the operator's: it onboards tenants.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.GetAsync("/admin/api-keys?tenant=globex")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await fixture.Admin.PostAsJsonAsync("/admin/api-keys", new { name = "globex-admin", tenant = "globex", roles = new[] { "admin" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.DeleteAsync($"/admin/api-keys/{globexKeyId}")).StatusCode);
    }

    [Fact]
    public void Only_a_role_naming_the_tenants_resource_reaches_other_tenants_and_the_local_caller_holds_one()
    {
        var roles = new RoleCatalog(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Roles:anything:0"] = "*:*",
            ["Auth:Roles:any-manager:0"] = "*:manage",
            ["Auth:Roles:tenancy:0"] = "tenants:*",
        }).Build());

        Assert.False(roles.Grants([Role.Admin, "anything", "any-manager"], Permissions.TenantsManage));
        Assert.True(roles.Grants([Role.Admin], Permissions.UsersImpersonate));
        Assert.True(roles.Grants(["tenancy"], Permissions.TenantsManage));
        Assert.True(roles.Grants([Role.Operator], Permissions.TenantsManage));
        // Without authentication the one local user operates the server, as before in every tenant.
        Assert.True(roles.Grants(Callers.Local.Roles, Permissions.TenantsManage));
    }

    [Fact]
    public async Task A_websocket_request_refused_for_a_permission_names_it()
    {
        await using var user = await fixture.ConnectAsync(o => o.SetRequestHeader("Authorization", "Bearer " + fixture.Token("ulla-ws", roles: ["user"])));

        var answer = await user.RequestAsync("agents.create", new { name = "nope", model = new { provider = "openai", name = "m" } });

        var error = answer["error"]!;
        Assert.Equal("forbidden", error["data"]!["code"]!.GetValue<string>());
        Assert.Equal("agents:write", error["data"]!["permission"]!.GetValue<string>());
        Assert.Contains("agents:write", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_caller_without_a_known_role_can_do_nothing()
    {
        using var nobody = fixture.ClientWithToken(fixture.Token("norole", roles: []));

        await AssertForbiddenAsync(await nobody.GetAsync("/agents"), "agents:read");
        await AssertForbiddenAsync(await nobody.GetAsync("/conversations"), "conversations:use");
    }

    [Fact]
    public async Task An_agent_restricted_to_some_users_and_roles_is_invisible_to_everyone_else()
    {
        var agentId = await fixture.CreateAgentAsync(extraJson: """{ "access": { "users": ["grace"], "roles": ["reviewer"] } }""");
        using var grace = fixture.As("grace", roles: "user");
        using var reviewer = fixture.As("rick", roles: ["user", "reviewer"]);
        using var other = fixture.As("oscar", roles: "user");

        Assert.Equal(HttpStatusCode.OK, (await grace.GetAsync($"/agents/{agentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync($"/agents/{agentId}")).StatusCode);
        await fixture.CreateConversationAsync(grace, agentId);

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/agents/{agentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/agents/{agentId}/tools")).StatusCode);
        var create = await other.PostAsJsonAsync("/conversations", new { agentId });
        Assert.Equal(HttpStatusCode.NotFound, create.StatusCode);
        Assert.Equal("agent_not_found", (await create.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>());
        var listed = (await other.GetFromJsonAsync<JsonObject>("/agents"))!["agents"]!.AsArray();
        Assert.DoesNotContain(listed, a => a!["id"]!.GetValue<string>() == agentId);
        var listedByGrace = (await grace.GetFromJsonAsync<JsonObject>("/agents"))!["agents"]!.AsArray();
        Assert.Contains(listedByGrace, a => a!["id"]!.GetValue<string>() == agentId);
    }

    [Fact]
    public async Task Agent_access_entries_are_validated()
    {
        var response = await fixture.Admin.PostAsJsonAsync("/agents", JsonNode.Parse("""
            { "name": "bad access", "model": { "provider": "openai", "name": "m" }, "access": { "users": [""] } }
            """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("access.users[0]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task AssertForbiddenAsync(HttpResponseMessage response, string permission)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("forbidden", problem["code"]!.GetValue<string>());
        Assert.Equal(permission, problem["permission"]!.GetValue<string>());
        Assert.Contains(permission, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
