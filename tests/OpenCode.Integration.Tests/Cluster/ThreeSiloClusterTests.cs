using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenCode.Abstractions;
using OpenCode.Client;
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
        var hosts = await HostPortsAsync(cluster, gateways[0], conversations);
        var victim = gateways.Skip(1).MaxBy(g => hosts.Count(h => h.Value == g.SiloPort))!;
        var orphans = conversations.Where(c => hosts[c] == victim.SiloPort).ToList();
        Assert.NotEmpty(orphans);
        var survivors = gateways.Where(g => g != victim).ToList();

        victim.Kill();
        var clock = Stopwatch.StartNew();

        var recovered = await Task.WhenAll(orphans.Select((id, i) => RecoverAsync(survivors[i % survivors.Count].Client, id, clock)));

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

    /// <summary>Sends "after the crash" until it succeeds; returns the time since the kill.</summary>
    private static async Task<TimeSpan> RecoverAsync(HttpClient client, string conversationId, Stopwatch sinceKill)
    {
        var last = "no attempt";
        while (sinceKill.Elapsed < FailoverLimit)
        {
            try
            {
                using var response = await client.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { message = "after the crash" });
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return sinceKill.Elapsed;
                }

                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{conversationId} was not served within {FailoverLimit} of the kill (last answer: {last}).");
    }

    /// <summary>The silo port of the silo each conversation is active on, asked through an Orleans client.</summary>
    private static async Task<Dictionary<string, int>> HostPortsAsync(GatewayCluster cluster, GatewayProcess gateway, IEnumerable<string> conversationIds)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddOpenCodeClient(o =>
        {
            o.GatewayPort = gateway.OrleansGatewayPort;
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IClusterClient>();
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = new Dictionary<string, int>();
        foreach (var id in conversationIds)
        {
            var conversation = grains.GetGrain<IConversationGrain>(GrainKeys.Conversation(GrainKeys.LocalTenant, id));
            var silo = await management.GetActivationAddress(conversation) ?? throw new InvalidOperationException($"{id} is not active anywhere.");
            hosts[id] = silo.Endpoint.Port;
        }

        await host.StopAsync();
        return hosts;
    }
}
