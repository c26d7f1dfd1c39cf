using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
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
    private const string ConversationStatusIdle = "idle";

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

        // Each conversation runs turns one after another, through the three gateways in turn, until the kill.
        var acknowledged = ids.ToDictionary(id => id, _ => new ConcurrentQueue<string>());
        var unanswered = ids.ToDictionary(id => id, _ => new ConcurrentQueue<string>());
        using var stop = new CancellationTokenSource();
        var drivers = ids.Select((id, i) => Task.Run(async () =>
        {
            for (var k = 0; !stop.IsCancellationRequested; k++)
            {
                var message = $"{id} turn {k}";
                if (await TrySendAsync(gateways[(i + k) % 3].Client, id, message))
                {
                    acknowledged[id].Enqueue(message);
                }
                else
                {
                    unanswered[id].Enqueue(message);
                }
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(8));
        var victim = gateways[2];
        victim.Kill();
        var clock = Stopwatch.StartNew();
        stop.Cancel();
        await Task.WhenAll(drivers);
        var survivors = gateways.Take(2).ToList();

        // Every conversation takes a new message again: a turn resumed from the dead silo finishes first (busy until then).
        var recovered = await Task.WhenAll(ids.Select((id, i) =>
            ClusterApi.SendUntilServedAsync(survivors[i % 2].Client, id, $"{id} after the kill", clock, RecoveryLimit)));

        var lost = 0;
        var duplicated = 0;
        var resumedOrFailed = (Completed: 0, Failed: 0, NotStarted: 0);
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var history = await HistoryAsync(survivors[(i + 1) % 2].Client, id);
            Assert.Equal(ConversationStatusIdle, await StatusAsync(survivors[i % 2].Client, id));
            var users = history.Where(m => m.Role == "user").Select(m => m.Content).ToList();
            duplicated += users.Count - users.Distinct().Count();
            duplicated += history.Count(m => m.Role == "assistant") - history.Where(m => m.Role == "assistant").Select(m => m.Content).Distinct().Count();
            foreach (var message in acknowledged[id])
            {
                var at = history.FindIndex(m => m.Role == "user" && m.Content == message);
                if (at < 0 || at + 1 >= history.Count || history[at + 1].Content != "echo: " + message)
                {
                    lost++;
                }
            }

            // A turn cut off by the kill completed (its reply follows it), failed (no reply), or never started.
            foreach (var message in unanswered[id])
            {
                var at = history.FindIndex(m => m.Role == "user" && m.Content == message);
                resumedOrFailed = at < 0 ? resumedOrFailed with { NotStarted = resumedOrFailed.NotStarted + 1 }
                    : at + 1 < history.Count && history[at + 1].Content == "echo: " + message ? resumedOrFailed with { Completed = resumedOrFailed.Completed + 1 }
                    : resumedOrFailed with { Failed = resumedOrFailed.Failed + 1 };
            }
        }

        var turns = acknowledged.Values.Sum(q => q.Count);
        output.WriteLine($"{Conversations} conversations, {turns} turns acknowledged before the kill, {unanswered.Values.Sum(q => q.Count)} cut off by it " +
            $"(completed after the kill {resumedOrFailed.Completed}, failed {resumedOrFailed.Failed}, never recorded {resumedOrFailed.NotStarted}).");
        output.WriteLine($"lost {lost}, duplicated {duplicated}; every conversation took a new message within {recovered.Max().TotalSeconds:F1} s of the kill " +
            $"(median {recovered.Order().ElementAt(recovered.Length / 2).TotalSeconds:F1} s).");
        Assert.True(turns >= Conversations, $"only {turns} turns were acknowledged before the kill");
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicated);
    }

    private static async Task<bool> TrySendAsync(HttpClient client, string id, string message)
    {
        try
        {
            using var response = await client.PostAsJsonAsync($"/conversations/{id}/messages", new { message });
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static async Task<string> StatusAsync(HttpClient client, string id) =>
        (await client.GetFromJsonAsync<JsonObject>($"/conversations/{id}"))!["status"]!.GetValue<string>();

    private static async Task<List<(string Role, string? Content)>> HistoryAsync(HttpClient client, string id)
    {
        var messages = new List<(string Role, string? Content)>();
        string? before = null;
        do
        {
            var page = (await client.GetFromJsonAsync<JsonObject>($"/conversations/{id}/messages?limit=200" + (before is null ? "" : $"&before={before}")))!;
            messages.InsertRange(0, page["messages"]!.AsArray().Select(m => ((string)m!["role"]!, (string?)m["content"])));
            before = (string?)page["next"];
        }
        while (before is not null);

        return messages;
    }
}
