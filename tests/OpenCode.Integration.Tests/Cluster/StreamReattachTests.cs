using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using OpenCode.Testing;
using Xunit.Abstractions;

namespace OpenCode.Integration.Tests.Cluster;

/// <summary>
/// A client streaming a turn through one gateway silo drops its connection and re-attaches through another with
/// <c>Last-Event-ID</c>: it misses nothing and sees nothing twice, also when the silo running the turn was killed.
/// </summary>
public sealed class StreamReattachTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_client_that_drops_its_stream_reattaches_through_another_silo_and_misses_nothing()
    {
        await using var model = await FakeModelServer.StartAsync();
        model.TokenInterval = TimeSpan.FromMilliseconds(30);
        await using var database = await PostgresDatabase.CreateAsync();
        await using var cluster = await GatewayCluster.StartAsync(2, database.ConnectionString);
        var (first, second) = (cluster.Gateways[0].Client, cluster.Gateways[1].Client);
        var agentId = await ClusterApi.CreateAgentAsync(first, model);
        var id = await ClusterApi.CreateConversationAsync(first, agentId);
        var words = Words(40);

        var (turnId, before) = await StreamUntilDeltasAsync(first, id, words, deltas: 5);
        var after = await FollowTurnAsync(second, id, before[^1].Id!, turnId);

        AssertWhole(before, after, "echo: " + words);
    }

    [Fact]
    public async Task A_cancel_through_another_silo_ends_the_streamed_turn_within_a_second()
    {
        await using var model = await FakeModelServer.StartAsync();
        model.TokenInterval = TimeSpan.FromMilliseconds(200);
        await using var database = await PostgresDatabase.CreateAsync();
        await using var cluster = await GatewayCluster.StartAsync(2, database.ConnectionString);
        var (first, second) = (cluster.Gateways[0].Client, cluster.Gateways[1].Client);
        var agentId = await ClusterApi.CreateAgentAsync(first, model);
        var id = await ClusterApi.CreateConversationAsync(first, agentId);

        var (turnId, before) = await StreamUntilDeltasAsync(first, id, Words(60), deltas: 2);
        var clock = Stopwatch.StartNew();
        using var cancel = await second.PostAsync($"/conversations/{id}/cancel", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, cancel.StatusCode);
        var after = await FollowTurnAsync(first, id, before[^1].Id!, turnId);
        clock.Stop();

        Assert.Equal("turn.cancelled", after[^1].Type);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the turn ended {clock.Elapsed} after the cancel");
        var partial = Message(after.Last(e => e.Type == "message.completed")).GetProperty("content").GetString()!;
        Assert.StartsWith(partial, "echo: " + Words(60), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_reattaches_through_a_survivor_when_the_silo_running_its_turn_is_killed()
    {
        await using var model = await FakeModelServer.StartAsync();
        model.TokenInterval = TimeSpan.FromMilliseconds(100);
        await using var database = await PostgresDatabase.CreateAsync();
        await using var cluster = await GatewayCluster.StartAsync(2, database.ConnectionString);
        var agentId = await ClusterApi.CreateAgentAsync(cluster.Gateways[0].Client, model);
        var id = await ClusterApi.CreateConversationAsync(cluster.Gateways[0].Client, agentId);
        var host = (await GrainPlacement.ConversationHostsAsync(cluster, cluster.Gateways[0], [id]))[id];
        var victim = cluster.Gateways.Single(g => g.SiloPort == host);
        var survivor = cluster.Gateways.Single(g => g != victim);
        var words = Words(60);

        var (turnId, before) = await StreamUntilDeltasAsync(victim.Client, id, words, deltas: 3);
        victim.Kill();
        var clock = Stopwatch.StartNew();
        var after = await FollowTurnAsync(survivor.Client, id, before[^1].Id!, turnId);

        output.WriteLine($"the turn finished through the survivor {clock.Elapsed.TotalSeconds:F1} s after its silo was killed");
        Assert.All(after, e => Assert.True(Seq(e) > Seq(before[^1])));
        Assert.Equal(after.Select(Seq).Order(), after.Select(Seq));
        Assert.Equal("turn.completed", after[^1].Type);
        Assert.Single(after, e => e.Type is "turn.completed" or "turn.failed" or "turn.cancelled");
        // The step cut off mid-stream ran again on the survivor: the message is whole, and so is the history.
        var reply = after.Last(e => e.Type == "message.completed");
        Assert.Equal("echo: " + words, Message(reply).GetProperty("content").GetString());
        Assert.Equal([words, "echo: " + words], await ClusterApi.HistoryAsync(survivor.Client, id));
    }

    /// <summary>Sends <paramref name="message"/> as a streamed turn and drops the stream after <paramref name="deltas"/> deltas.</summary>
    private static async Task<(string TurnId, List<ServerSentEvent> Seen)> StreamUntilDeltasAsync(HttpClient client, string id, string message, int deltas)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/conversations/{id}/messages") { Content = JsonContent.Create(new { message }) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new ServerSentEventReader(await response.Content.ReadAsStreamAsync());
        var seen = new List<ServerSentEvent>();
        using var timeout = new CancellationTokenSource(Limit);
        while (seen.Count(e => e.Type == "message.delta") < deltas)
        {
            seen.Add(await reader.ReadAsync(timeout.Token) ?? throw new InvalidOperationException("The stream ended before the deltas came."));
        }

        Assert.DoesNotContain(seen, e => e.Type == "turn.completed");
        return (Data(seen[0]).GetProperty("turnId").GetString()!, seen);
    }

    /// <summary>Follows the conversation's events after <paramref name="lastEventId"/> until the turn's terminal event, retrying while its silo is being replaced.</summary>
    private static async Task<List<ServerSentEvent>> FollowTurnAsync(HttpClient client, string id, string lastEventId, string turnId)
    {
        var events = new List<ServerSentEvent>();
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the turn did not end within {Limit}");
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/conversations/{id}/events");
                request.Headers.Accept.ParseAdd("text/event-stream");
                request.Headers.Add("Last-Event-ID", events.Count == 0 ? lastEventId : events[^1].Id);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                if (!response.IsSuccessStatusCode)
                {
                    await Task.Delay(500);
                    continue;
                }

                using var reader = new ServerSentEventReader(await response.Content.ReadAsStreamAsync());
                using var timeout = new CancellationTokenSource(deadline - DateTime.UtcNow);
                while (await reader.ReadAsync(timeout.Token) is { } e)
                {
                    events.Add(e);
                    if (e.Type is "turn.completed" or "turn.failed" or "turn.cancelled" && Data(e).GetProperty("turnId").GetString() == turnId)
                    {
                        return events;
                    }
                }
            }
            catch (HttpRequestException)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>The text of the deltas seen before and after the drop adds up to the reply, and no seq came twice.</summary>
    private static void AssertWhole(List<ServerSentEvent> before, List<ServerSentEvent> after, string reply)
    {
        var all = before.Concat(after).ToList();
        Assert.Equal(all.Select(Seq).Distinct().Order(), all.Select(Seq));
        Assert.Equal(reply, string.Concat(all.Where(e => e.Type == "message.delta").Select(e => Data(e).GetProperty("text").GetString())));
        Assert.Equal(reply, Message(after.Last(e => e.Type == "message.completed")).GetProperty("content").GetString());
        Assert.Single(all, e => e.Type is "turn.completed" or "turn.failed" or "turn.cancelled");
        Assert.Equal("turn.completed", all[^1].Type);
    }

    private static string Words(int count) => string.Join(' ', Enumerable.Range(0, count).Select(i => $"w{i}"));

    private static long Seq(ServerSentEvent e) => long.Parse(e.Id!, CultureInfo.InvariantCulture);

    private static JsonElement Data(ServerSentEvent e) => JsonDocument.Parse(e.Data).RootElement;

    private static JsonElement Message(ServerSentEvent e) => Data(e).GetProperty("message");
}
