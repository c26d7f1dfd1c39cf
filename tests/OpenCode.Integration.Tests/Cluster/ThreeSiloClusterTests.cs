using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using OpenCode.Testing;
using Xunit.Abstractions;

namespace OpenCode.Integration.Tests.Cluster;

/// <summary>Three gateway silo processes in the cluster profile, on the tests' real PostgreSQL and Redis.</summary>
public sealed class ThreeSiloClusterTests(ITestOutputHelper output)
{
    /// <summary>How long the survivors may take to serve the conversations of a silo killed with SIGKILL.</summary>
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Agents_and_conversations_created_through_one_gateway_are_served_through_every_other()
    {
        await using var model = await FakeModelServer.StartAsync();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var cluster = await GatewayCluster.StartAsync(3, database.ConnectionString);
        var (first, second, third) = (cluster.Gateways[0].Client, cluster.Gateways[1].Client, cluster.Gateways[2].Client);

        var agentId = await ClusterApi.CreateAgentAsync(first, model);
        foreach (var client in new[] { second, third })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/agents/{agentId}")).StatusCode);
            Assert.Contains(agentId, await client.GetStringAsync("/agents"), StringComparison.Ordinal);
        }

        var conversationId = await ClusterApi.CreateConversationAsync(second, agentId);
        await ClusterApi.SendAsync(third, conversationId, "through the third");
        await ClusterApi.SendAsync(first, conversationId, "through the first");

        Assert.Equal(
            ["through the third", "echo: through the third", "through the first", "echo: through the first"],
            await ClusterApi.HistoryAsync(second, conversationId));
        Assert.Contains(conversationId, await third.GetStringAsync("/conversations"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conversations_of_a_silo_killed_while_idle_are_served_by_the_survivors_with_their_history()
    {
        await using var model = await FakeModelServer.StartAsync();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var cluster = await GatewayCluster.StartAsync(3, database.ConnectionString);
        var gateways = cluster.Gateways;
        var agentId = await ClusterApi.CreateAgentAsync(gateways[0].Client, model);
        var conversations = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            var client = gateways[i % 3].Client;
            var id = await ClusterApi.CreateConversationAsync(client, agentId);
            await ClusterApi.SendAsync(client, id, "before the crash");
            conversations.Add(id);
        }

        // Where each conversation lives, from the silos' own directory; the victim is the silo (not the one this
        // client is connected to) hosting the most of them.
        var hosts = await GrainPlacement.ConversationHostsAsync(cluster, gateways[0], conversations);
        var victim = gateways.Skip(1).MaxBy(g => hosts.Count(h => h.Value == g.SiloPort))!;
        var orphans = conversations.Where(c => hosts[c] == victim.SiloPort).ToList();
        Assert.NotEmpty(orphans);
        var survivors = gateways.Where(g => g != victim).ToList();

        victim.Kill();
        var clock = Stopwatch.StartNew();

        var recovered = await Task.WhenAll(orphans.Select((id, i) => ClusterApi.SendUntilServedAsync(survivors[i % survivors.Count].Client, id, "after the crash", clock, FailoverLimit)));

        var slowest = recovered.Max();
        output.WriteLine($"{orphans.Count} of {conversations.Count} conversations lived on the killed silo; all served again by the survivors after {slowest.TotalSeconds:F1} s (fastest {recovered.Min().TotalSeconds:F1} s).");
        Assert.True(slowest < FailoverLimit, $"the last conversation took {slowest} to be served again");
        foreach (var (id, i) in orphans.Select((id, i) => (id, i)))
        {
            Assert.Equal(
                ["before the crash", "echo: before the crash", "after the crash", "echo: after the crash"],
                await ClusterApi.HistoryAsync(survivors[(i + 1) % survivors.Count].Client, id));
        }

        // The conversations the survivors hosted were never disturbed beyond the membership change.
        foreach (var id in conversations.Except(orphans))
        {
            await ClusterApi.SendAsync(survivors[0].Client, id, "after the crash");
        }
    }
}
