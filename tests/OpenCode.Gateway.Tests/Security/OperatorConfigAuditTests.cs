using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenCode.Abstractions;
using OpenCode.Gateway.Security;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>
/// What the operator's configuration changes when a silo starts (declared agents, the bootstrap admin key) is audited
/// like the same change made through the API, with the actor <c>config/operator</c>; a start that changes nothing
/// records nothing.
/// </summary>
public sealed class OperatorConfigAuditTests
{
    private const string AgentId = "declared";

    private readonly string _adminKey = "admin-" + Guid.NewGuid().ToString("N");
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("opencode-operator-audit-").FullName;

    [Fact]
    public async Task Declared_agents_and_the_bootstrap_key_are_recorded_when_they_change_and_only_then()
    {
        var first = await RecordsAfterStartAsync("As declared");
        Assert.Equal(["agent.created", "apikey.issued"], first.Select(e => (string?)e["action"]).Order());
        Assert.All(first, e =>
        {
            Assert.Equal("config/operator", (string?)e["actor"]);
            Assert.Equal("local", (string?)e["tenant"]);
            Assert.Equal("succeeded", (string?)e["outcome"]);
        });
        var agent = first.Single(e => (string?)e["action"] == "agent.created");
        Assert.Equal((AgentId, 1), ((string?)agent["resourceId"], (int?)agent["detail"]!["version"]));
        var key = first.Single(e => (string?)e["action"] == "apikey.issued");
        Assert.Equal(["operator"], key["detail"]!["roles"]!.AsArray().Select(r => (string?)r));

        // The same configuration again: the agent is as declared, the key exists.
        Assert.Equal(Ids(first), Ids(await RecordsAfterStartAsync("As declared")));

        var changed = await RecordsAfterStartAsync("Declared anew");
        var updated = Assert.Single(changed, e => !Ids(first).Contains((long)e["id"]!));
        Assert.Equal(("agent.updated", AgentId, 2), ((string?)updated["action"], (string?)updated["resourceId"], (int?)updated["detail"]!["version"]));
    }

    [Fact]
    public async Task A_bootstrap_key_an_earlier_version_stored_as_admin_becomes_operator_once()
    {
        await StoreBootstrapKeyAsAdminAsync();

        var upgraded = await RecordsAfterStartAsync("As declared", async gateway =>
        {
            var keys = await SendAsync(gateway, HttpMethod.Get, "/admin/api-keys");
            Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
            var key = (await ReadAsync(keys))["keys"]!.AsArray().Single(k => (string?)k!["id"] == BootstrapKeyId)!;
            Assert.Equal(["operator"], key["roles"]!.AsArray().Select(r => (string?)r));
            // The reach admin lost: another tenant's keys.
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(gateway, HttpMethod.Get, "/admin/api-keys?tenant=another")).StatusCode);
        });
        Assert.DoesNotContain(upgraded, e => (string?)e["action"] == "apikey.issued");
        var changed = Assert.Single(upgraded, e => (string?)e["action"] == "apikey.roles_changed");
        Assert.Equal(("config/operator", "local", BootstrapKeyId), ((string?)changed["actor"], (string?)changed["tenant"], (string?)changed["resourceId"]));
        Assert.Equal(["admin"], changed["detail"]!["previousRoles"]!.AsArray().Select(r => (string?)r));
        Assert.Equal(["operator"], changed["detail"]!["roles"]!.AsArray().Select(r => (string?)r));

        // Upgraded once: the next start changes nothing.
        Assert.Equal(Ids(upgraded), Ids(await RecordsAfterStartAsync("As declared")));
    }

    [Fact]
    public void Only_an_active_bootstrap_key_without_exactly_the_operator_role_is_upgraded()
    {
        var key = new ApiKeyInfo { Id = BootstrapKeyId, Name = "bootstrap-admin", Tenant = "local", User = "bootstrap-admin", Roles = ["admin"] };

        Assert.True(BootstrapAdminKey.NeedsOperatorRole(key));
        Assert.True(BootstrapAdminKey.NeedsOperatorRole(key with { Roles = ["admin", "operator"] }));
        Assert.False(BootstrapAdminKey.NeedsOperatorRole(key with { Roles = ["operator"] }));
        Assert.False(BootstrapAdminKey.NeedsOperatorRole(key with { RevokedAt = DateTimeOffset.UnixEpoch }));
    }

    private string BootstrapKeyId => "key-" + ApiKeys.Hash(_adminKey)[..12];

    /// <summary>
    /// What an earlier version stored for the bootstrap key, written through the grains of a gateway started without
    /// it: the same key with the role <c>admin</c>.
    /// </summary>
    private async Task StoreBootstrapKeyAsAdminAsync()
    {
        await using var gateway = await GatewayProcess.StartAsync(_dataDirectory);
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client.UseLocalhostClustering(gateway.OrleansGatewayPort, "opencode", "opencode-local"));
        using (var host = builder.Build())
        {
            await host.StartAsync();
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var hash = ApiKeys.Hash(_adminKey);
            var stored = await grains.GetGrain<IApiKeyGrain>(hash).IssueAsync(new ApiKeyInfo
            {
                Id = BootstrapKeyId,
                Name = "bootstrap-admin",
                Tenant = "local",
                User = "bootstrap-admin",
                Roles = ["admin"],
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await grains.GetGrain<IApiKeyDirectoryGrain>(GrainKeys.ApiKeyDirectory).AddAsync(hash, stored);
            await host.StopAsync();
        }

        await gateway.StopAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// Starts a gateway on the test's data with the agent named <paramref name="agentName"/>, runs
    /// <paramref name="whileRunning"/> against it; its records by the configuration.
    /// </summary>
    private async Task<List<JsonObject>> RecordsAfterStartAsync(string agentName, Func<GatewayProcess, Task>? whileRunning = null)
    {
        await using var gateway = await GatewayProcess.StartAsync(_dataDirectory, new Dictionary<string, string?>
        {
            ["Auth__BootstrapAdminKey"] = _adminKey,
            [$"Agents__{AgentId}__name"] = agentName,
            [$"Agents__{AgentId}__model__provider"] = "openai",
            [$"Agents__{AgentId}__model__name"] = "m",
            [$"Agents__{AgentId}__model__endpoint"] = "http://127.0.0.1:9/v1",
            ["Security__AllowedEndpoints__0"] = "http://127.0.0.1:9",
        });
        if (whileRunning is not null)
        {
            await whileRunning(gateway);
        }

        var response = await SendAsync(gateway, HttpMethod.Get, "/admin/audit?actor=config/operator&limit=50");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var records = (await ReadAsync(response))["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
        await gateway.StopAsync(TimeSpan.FromSeconds(20));
        return records;
    }

    private async Task<HttpResponseMessage> SendAsync(GatewayProcess gateway, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add(ApiKeys.Header, _adminKey);
        return await gateway.Client.SendAsync(request);
    }

    private static List<long> Ids(IEnumerable<JsonObject> records) => [.. records.Select(e => (long)e["id"]!).Order()];
}
