using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Gateway.Tests.Api;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Streaming.EventStreams;

namespace OpenCode.Gateway.Tests.Streaming;

/// <summary>SSE over real sockets: framing, live tokens, resume, heartbeats, and a client leaving mid-turn.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ServerSentEventTests(GatewayFixture fixture) : IDisposable
{
    private const string TenWords = "one two three four five six seven eight nine ten";

    private HttpClient Client => fixture.Client;

    public void Dispose() => fixture.Model.TokenInterval = TimeSpan.Zero;

    [Fact]
    public async Task A_streamed_turn_is_framed_with_ids_types_and_data_and_ends_after_its_terminal_event()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        fixture.Model.Script(model, FakeReply.Text("hello there"));
        var conversation = await fixture.CreateConversationAsync(agent);

        using var response = await PostMessageAsync(Client, conversation, "hi");
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        var raw = await response.Content.ReadAsStringAsync();

        Assert.StartsWith($"retry: {GatewayFixture.RetryMilliseconds}\n\n", raw, StringComparison.Ordinal);
        using var reader = new ServerSentEventReader(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw)));
        var events = new List<ServerSentEvent>();
        while (await reader.ReadAsync() is { } e)
        {
            events.Add(e);
        }

        Assert.Equal(GatewayFixture.RetryMilliseconds, reader.Retry);
        Assert.Equal("turn.started", events[0].Type);
        Assert.Equal("turn.completed", events[^1].Type);
        Assert.Single(events, IsTerminal);
        Assert.Contains(events, e => e.Type == "message.delta");
        var seqs = events.Select(e => long.Parse(e.Id!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(seqs.Order().Distinct(), seqs);
        var turnId = (string?)Data(events[0])["turnId"];
        Assert.NotNull(turnId);
        foreach (var (e, seq) in events.Zip(seqs))
        {
            var data = Data(e);
            Assert.Equal(conversation, (string?)data["conversationId"]);
            Assert.Equal(seq, (long?)data["seq"]);
            Assert.Equal(e.Type, (string?)data["type"]);
            Assert.Equal(turnId, (string?)data["turnId"]);
        }

        var history = await HistoryAsync(Client, conversation);
        Assert.Equal((string?)history[^2]!["id"], (string?)Data(events[0])["userMessageId"]);
        // The user message and the reply are each completed messages, as the REST API shows them.
        var completed = events.Where(e => e.Type == "message.completed").Select(e => Data(e)["message"]!).ToList();
        Assert.Equal([history[^2]!.ToJsonString(), history[^1]!.ToJsonString()], completed.Select(m => m.ToJsonString()));
        var reply = completed[^1];
        var done = Data(events[^1]);
        Assert.Equal((string?)reply["id"], (string?)done["messageId"]);
        Assert.True((long?)done["usage"]!["completionTokens"] > 0);
    }

    [Fact]
    public async Task Tokens_arrive_as_the_model_writes_them_and_add_up_to_the_reply()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        fixture.Model.Script(model, FakeReply.Text(TenWords));
        fixture.Model.TokenInterval = TimeSpan.FromMilliseconds(100);
        var conversation = await fixture.CreateConversationAsync(agent);

        using var response = await PostMessageAsync(Client, conversation, "count");
        using var reader = await ReaderAsync(response);
        var clock = Stopwatch.StartNew();
        var arrivals = new List<(ServerSentEvent Event, TimeSpan At)>();
        while (arrivals.Count == 0 || !IsTerminal(arrivals[^1].Event))
        {
            var e = await reader.ReadAsync();
            Assert.NotNull(e);
            arrivals.Add((e, clock.Elapsed));
        }

        var firstDelta = arrivals.First(a => a.Event.Type == "message.delta").At;
        var end = arrivals[^1].At;
        Assert.True(end - firstDelta >= TimeSpan.FromMilliseconds(500), $"deltas were not relayed as they came: first at {firstDelta}, end at {end}");
        var events = arrivals.Select(a => a.Event).ToList();
        Assert.Equal(TenWords, Text(events));
        Assert.Equal(TenWords, (string?)Data(events.Last(e => e.Type == "message.completed"))["message"]!["content"]);
        Assert.Equal(TenWords, (string?)(await HistoryAsync(Client, conversation))[^1]!["content"]);
    }

    [Fact]
    public async Task A_client_that_drops_mid_message_resumes_with_Last_Event_ID_missing_nothing_and_repeating_nothing()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        fixture.Model.Script(model, FakeReply.Text(TenWords));
        fixture.Model.TokenInterval = TimeSpan.FromMilliseconds(150);
        var conversation = await fixture.CreateConversationAsync(agent);

        List<ServerSentEvent> before;
        string lastId;
        using (var response = await PostMessageAsync(Client, conversation, "count"))
        {
            using var reader = await ReaderAsync(response);
            var deltas = 0;
            before = await ReadUntilAsync(reader, e => e.Type == "message.delta" && ++deltas == 3);
            lastId = reader.LastEventId!;
        }

        using var resumed = await GetEventsAsync(Client, conversation, lastEventId: lastId);
        using var again = await ReaderAsync(resumed);
        var after = await ReadUntilAsync(again, IsTerminal);

        Assert.Equal("turn.completed", after[^1].Type);
        Assert.True(long.Parse(after[0].Id!) > long.Parse(lastId));
        Assert.Empty(before.Select(e => e.Id).Intersect(after.Select(e => e.Id)));
        Assert.Equal(TenWords, Text(before) + Text(after));
    }

    [Fact]
    public async Task The_events_endpoint_replays_after_the_given_seq_and_refuses_a_malformed_one()
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        var conversation = await fixture.CreateConversationAsync(agent);
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "first" })).StatusCode);

        List<ServerSentEvent> all;
        using (var response = await GetEventsAsync(Client, conversation, "?after=0"))
        {
            using var reader = await ReaderAsync(response);
            all = await ReadUntilAsync(reader, IsTerminal);
        }

        Assert.Equal("turn.started", all[0].Type);
        Assert.Contains(all, e => e.Type == "message.completed");
        using (var response = await GetEventsAsync(Client, conversation, $"?after={all[0].Id}"))
        {
            using var reader = await ReaderAsync(response);
            var rest = await ReadUntilAsync(reader, IsTerminal);
            Assert.Equal(all.Skip(1).Select(e => e.Id), rest.Select(e => e.Id));
        }

        await AgentsApiTests.AssertProblemAsync(await GetEventsAsync(Client, conversation, "?after=abc"), HttpStatusCode.BadRequest, "validation_failed");
        await AgentsApiTests.AssertProblemAsync(await GetEventsAsync(Client, conversation, lastEventId: "-1"), HttpStatusCode.BadRequest, "validation_failed");
        await AgentsApiTests.AssertProblemAsync(await GetEventsAsync(Client, "conv-00000000000000000000000000000000"), HttpStatusCode.NotFound, "conversation_not_found");
    }

    [Fact]
    public async Task An_idle_stream_gets_heartbeats_at_the_configured_interval()
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        var conversation = await fixture.CreateConversationAsync(agent);

        using var response = await GetEventsAsync(Client, conversation);
        using var reader = await ReaderAsync(response);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3.5));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.ReadAsync(stop.Token));

        Assert.Equal(GatewayFixture.RetryMilliseconds, reader.Retry);
        Assert.True(reader.Comments.Count(c => c == "ping") >= 2, $"heartbeats: {reader.Comments.Count}");
    }

    [Fact]
    public async Task A_client_that_leaves_does_not_cancel_its_turn()
    {
        var (agent, model) = await fixture.CreateAgentAsync();
        fixture.Model.Script(model, FakeReply.Text(TenWords));
        fixture.Model.TokenInterval = TimeSpan.FromMilliseconds(100);
        var conversation = await fixture.CreateConversationAsync(agent);

        using (var response = await PostMessageAsync(Client, conversation, "count"))
        {
            using var reader = await ReaderAsync(response);
            await ReadUntilAsync(reader, e => e.Type == "message.delta");
        }

        await WaitIdleAsync(Client, conversation);
        var history = await HistoryAsync(Client, conversation);
        Assert.Equal("assistant", (string?)history[^1]!["role"]);
        Assert.Equal(TenWords, (string?)history[^1]!["content"]);
    }

    [Fact]
    public async Task Errors_before_the_stream_starts_are_problems()
    {
        await AgentsApiTests.AssertProblemAsync(await PostMessageAsync(Client, "conv-00000000000000000000000000000000", "hi"), HttpStatusCode.NotFound, "conversation_not_found");
        var (agent, _) = await fixture.CreateAgentAsync();
        var conversation = await fixture.CreateConversationAsync(agent);
        await AgentsApiTests.AssertProblemAsync(await PostMessageAsync(Client, conversation, " "), HttpStatusCode.BadRequest, "validation_failed");
        var problem = await AgentsApiTests.AssertProblemAsync(
            await PostMessageAsync(Client, conversation, "hi", new string('k', 256)), HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(problem["errors"]!["Idempotency-Key"]);
    }

    [Fact]
    public async Task The_streaming_endpoints_are_in_the_OpenAPI_document()
    {
        var paths = (await Client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!["paths"]!.AsObject();

        Assert.NotNull(paths["/conversations/{conversationId}/events"]?["get"]);
        Assert.NotNull(paths["/conversations/{conversationId}/cancel"]?["post"]);
        Assert.NotNull(paths["/ws"]?["get"]);
        var send = paths["/conversations/{conversationId}/messages"]!["post"]!;
        Assert.NotNull(send["responses"]!["200"]!["content"]!["text/event-stream"]);
        Assert.Contains(send["parameters"]!.AsArray(), p => (string?)p!["name"] == "Idempotency-Key");
    }
}
