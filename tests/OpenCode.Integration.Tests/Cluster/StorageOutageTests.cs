using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using OpenCode.Testing;

namespace OpenCode.Integration.Tests.Cluster;

/// <summary>
/// A cluster-profile gateway whose PostgreSQL becomes unreachable (its connections go through a relay the test cuts):
/// the API answers 503 storage_unavailable with Retry-After, <c>/ready</c> answers 503, nothing that failed is kept,
/// and service comes back by itself when the database does.
/// </summary>
public sealed class StorageOutageTests
{
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task While_postgres_is_unreachable_the_api_answers_503_and_recovers_by_itself_with_nothing_half_written()
    {
        await using var model = await FakeModelServer.StartAsync();
        await using var database = await PostgresDatabase.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var relay = TcpRelay.Start(server.Host!, server.Port);
        var throughRelay = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = relay.Port }.ConnectionString;
        await using var cluster = await GatewayCluster.StartAsync(2, throughRelay);
        var (gateway, other) = (cluster.Gateways[0], cluster.Gateways[1]);
        var client = gateway.Client;
        var agentId = await ClusterApi.CreateAgentAsync(client, model);
        // Conversations on both silos, so failures reach this gateway from its own silo and from the other one.
        var local = new List<string>();
        var remote = new List<string>();
        while ((local.Count == 0 || remote.Count == 0) && local.Count + remote.Count < 20)
        {
            var through = cluster.Gateways[(local.Count + remote.Count) % 2].Client;
            var id = await ClusterApi.CreateConversationAsync(through, agentId);
            await ClusterApi.SendAsync(through, id, "before the outage");
            var host = (await GrainPlacement.ConversationHostsAsync(cluster, gateway, [id]))[id];
            (host == gateway.SiloPort ? local : remote).Add(id);
        }

        Assert.NotEmpty(local);
        Assert.NotEmpty(remote);

        relay.Sever();

        await ClusterApi.WaitForStatusAsync(client, "/ready", HttpStatusCode.ServiceUnavailable, RecoveryLimit);
        foreach (var id in new[] { local[0], remote[0] })
        {
            await AssertStorageUnavailableAsync(gateway, await client.PostAsJsonAsync($"/conversations/{id}/messages", new { message = "during the outage" }));
            // The failed write dropped the activation: reading it again needs the store.
            await AssertStorageUnavailableAsync(gateway, await client.GetAsync($"/conversations/{id}"));
        }

        await AssertStorageUnavailableAsync(gateway, await client.PostAsJsonAsync("/agents", ClusterApi.AgentBody("agent-during-outage", model)));

        relay.Restore();

        await ClusterApi.WaitForStatusAsync(client, "/ready", HttpStatusCode.OK, RecoveryLimit);
        foreach (var id in new[] { local[0], remote[0] })
        {
            await ClusterApi.SendAsync(client, id, "after the outage");
            Assert.Equal(
                ["before the outage", "echo: before the outage", "after the outage", "echo: after the outage"],
                await ClusterApi.HistoryAsync(other.Client, id));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/agents/agent-during-outage")).StatusCode);
    }

    private static async Task AssertStorageUnavailableAsync(GatewayProcess gateway, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}\n{gateway.Output}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta is { } delay && delay > TimeSpan.Zero, "no Retry-After delay");
        Assert.Equal("storage_unavailable", (string?)JsonNode.Parse(body)!["code"]);
    }
}
