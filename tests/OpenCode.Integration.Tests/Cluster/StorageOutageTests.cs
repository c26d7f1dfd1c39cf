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
        await using var cluster = await GatewayCluster.StartAsync(1, throughRelay);
        var client = cluster.Gateways[0].Client;
        var agentId = await ClusterApi.CreateAgentAsync(client, model);
        var conversationId = await ClusterApi.CreateConversationAsync(client, agentId);
        await ClusterApi.SendAsync(client, conversationId, "before the outage");

        relay.Sever();

        await ClusterApi.WaitForStatusAsync(client, "/ready", HttpStatusCode.ServiceUnavailable, RecoveryLimit);
        var gateway = cluster.Gateways[0];
        await AssertStorageUnavailableAsync(gateway, await client.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { message = "during the outage" }));
        await AssertStorageUnavailableAsync(gateway, await client.GetAsync($"/conversations/{conversationId}"));
        await AssertStorageUnavailableAsync(gateway, await client.PostAsJsonAsync("/agents", ClusterApi.AgentBody("agent-during-outage", model)));

        relay.Restore();

        await ClusterApi.WaitForStatusAsync(client, "/ready", HttpStatusCode.OK, RecoveryLimit);
        await ClusterApi.SendAsync(client, conversationId, "after the outage");
        var history = await ClusterApi.HistoryAsync(client, conversationId);
        Assert.Equal(
            ["before the outage", "echo: before the outage", "after the outage", "echo: after the outage"],
            history);
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
