using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;
using Xunit.Abstractions;

namespace OpenCode.Integration.Tests.Cluster;

/// <summary>
/// Three gateway silos on PostgreSQL and Redis under a steady load of turns; one is killed with SIGKILL mid-turn.
/// Nothing acknowledged may be lost or duplicated, and every conversation must take messages again in bounded time.
/// </summary>
public sealed class FailoverUnderLoadTests(ITestOutputHelper output)
{
    private const int Conversations = 200;

    /// <summary>Generous: the machine is small and shared. Recovery includes failure detection and resumed turns.</summary>
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task A_silo_killed_under_load_loses_and_duplicates_no_acknowledged_turn_and_every_conversation_recovers()
    {
        await using var model = await FakeModelServer.StartAsync();
        model.Latency = TimeSpan.FromMilliseconds(150);
        model.RecordRequests = false;
        await using var database = await PostgresDatabase.CreateAsync();
        await using var cluster = await GatewayCluster.StartAsync(3, database.ConnectionString, new Dictionary<string, string?> { ["Orleans__TurnReminderSeconds"] = "5" });
        var gateways = cluster.Gateways;
        var agentId = await ClusterApi.CreateAgentAsync(gateways[0].Client, model);
        var ids = new string[Conversations];
        await Parallel.ForAsync(0, Conversations, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            ids[i] = await ClusterApi.CreateConversationAsync(gateways[i % 3].Client, agentId));

        var load = TurnLoad.Start(ids, [.. gateways.Select(g => g.Client)]);
        await Task.Delay(TimeSpan.FromSeconds(8));
        gateways[2].Kill();
        var clock = Stopwatch.StartNew();
        await load.StopAsync();
        var survivors = gateways.Take(2).ToList();

        // Every conversation takes a new message again: a turn resumed from the dead silo finishes first (busy until then).
        var recovered = await Task.WhenAll(ids.Select((id, i) =>
            ClusterApi.SendUntilServedAsync(survivors[i % 2].Client, id, $"{id} after the kill", clock, RecoveryLimit)));

        var check = await load.CheckHistoriesAsync(survivors[1].Client);
        foreach (var id in ids)
        {
            var info = await survivors[0].Client.GetFromJsonAsync<JsonObject>($"/conversations/{id}");
            Assert.Equal("idle", (string?)info!["status"]);
        }

        output.WriteLine($"{Conversations} conversations, {load.Acknowledged} turns acknowledged before the kill, {load.Unanswered} cut off by it; {check}.");
        output.WriteLine($"Every conversation took a new message within {recovered.Max().TotalSeconds:F1} s of the kill (median {recovered.Order().ElementAt(recovered.Length / 2).TotalSeconds:F1} s).");
        Assert.True(load.Acknowledged >= Conversations, $"only {load.Acknowledged} turns were acknowledged before the kill");
        Assert.Equal(0, check.Lost);
        Assert.Equal(0, check.Duplicated);
    }
}
