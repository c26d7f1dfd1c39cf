using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Integration.Tests.Cluster;

/// <summary>The cluster profile's audit log: one PostgreSQL table every silo appends to and reads from.</summary>
public sealed class AuditLogClusterTests
{
    [Fact]
    public async Task What_one_silo_records_every_silo_reads_and_the_database_keeps_it_append_only()
    {
        await using var model = await FakeModelServer.StartAsync();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var cluster = await GatewayCluster.StartAsync(2, database.ConnectionString);

        var agentId = await ClusterApi.CreateAgentAsync(cluster.Gateways[0].Client, model);

        var page = (await cluster.Gateways[1].Client.GetFromJsonAsync<JsonObject>("/admin/audit?action=agent.created"))!;
        var record = Assert.Single(page["entries"]!.AsArray())!;
        Assert.Equal(agentId, (string?)record["resourceId"]);
        Assert.Equal("local", (string?)record["actor"]);
        Assert.Equal(1L, await database.ScalarAsync<long>(
            $"SELECT count(*) FROM opencode_audit_log WHERE service_id = '{cluster.ServiceId}' AND resource_id = '{agentId}'"));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => database.ScalarAsync<int>("DELETE FROM opencode_audit_log RETURNING 1"));
    }
}
