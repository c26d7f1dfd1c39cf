using System.Net;
using System.Text.Json.Nodes;
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

    /// <summary>Starts a gateway on the test's data with the agent named <paramref name="agentName"/>; its records by the configuration.</summary>
    private async Task<List<JsonObject>> RecordsAfterStartAsync(string agentName)
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
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/audit?actor=config/operator&limit=50");
        request.Headers.Add("X-API-Key", _adminKey);
        var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var records = (await ReadAsync(response))["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
        await gateway.StopAsync(TimeSpan.FromSeconds(20));
        return records;
    }

    private static List<long> Ids(IEnumerable<JsonObject> records) => [.. records.Select(e => (long)e["id"]!).Order()];
}
