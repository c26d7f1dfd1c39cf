using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using OpenCode.Testing;
using Xunit.Abstractions;

namespace OpenCode.Integration.Tests.Streaming;

/// <summary>
/// One gateway process holding 1,000 open subscriptions (half SSE, half WebSocket, ten sockets of 50 conversations)
/// while turns stream on every conversation at 50 tokens/s: nothing lost, duplicated or out of order, and the memory
/// an idle subscription costs.
/// </summary>
public sealed class SubscriptionLoadTests(ITestOutputHelper output)
{
    private const int Conversations = 1_000;
    private const int ConversationsPerSocket = 50;
    private const int TurnsPerConversation = 3;
    private const int ConcurrentTurns = 200;
    private const int ReplyWords = 20; // "echo:" and the 19 words of the message, one token each
    private static readonly TimeSpan TokenInterval = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task A_thousand_subscriptions_get_every_event_of_turns_streaming_at_50_tokens_a_second()
    {
        var run = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var model = await FakeModelServer.StartAsync();
        model.TokenInterval = TokenInterval;
        model.RecordRequests = false;
        await using var gateway = await GatewayProcess.StartAsync();
        var meter = new ProcessMeter(gateway.ProcessId);
        // Each open SSE stream holds an HTTP/1.1 connection of its own, and so does each running turn: the
        // handler's limit must stay above both together (it is unlimited unless set).
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Conversations + ConcurrentTurns })
        {
            BaseAddress = gateway.BaseUrl,
            Timeout = Timeout.InfiniteTimeSpan, // subscriptions outlive any request timeout; the test's own timeout bounds them
        };
        using (var agent = await http.PostAsJsonAsync("/agents", new
        {
            id = "load",
            name = "Subscription load",
            model = new { provider = "openai", name = "load-model", endpoint = model.BaseUrl.ToString() },
        }, timeout.Token))
        {
            agent.EnsureSuccessStatusCode();
        }

        var subscribers = new ConcurrentBag<ConversationSubscriber>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Conversations), Options(16, timeout.Token), async (_, ct) =>
        {
            using var created = await http.PostAsJsonAsync("/conversations", new { agentId = "load" }, ct);
            created.EnsureSuccessStatusCode();
            subscribers.Add(new ConversationSubscriber((await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!));
        });
        var all = subscribers.ToArray();
        var (sseSubscribers, socketSubscribers) = (all[..(Conversations / 2)], all[(Conversations / 2)..]);
        var setUp = run.Elapsed;

        await Task.Delay(TimeSpan.FromSeconds(2), timeout.Token);
        var rssBefore = meter.ResidentMegabytes().Current;
        using var subscribed = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var sseReaders = new ConcurrentBag<Task>();
        await Parallel.ForEachAsync(sseSubscribers, Options(32, timeout.Token), async (subscriber, _) =>
            sseReaders.Add(await SseSubscription.OpenAsync(http, subscriber, subscribed.Token)));
        var sockets = await Task.WhenAll(socketSubscribers.Chunk(ConversationsPerSocket).Select(c => WebSocketSubscriptions.OpenAsync(gateway.BaseUrl, c, timeout.Token)));
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3), timeout.Token);
            var rssIdle = meter.ResidentMegabytes().Current;
            var subscribing = run.Elapsed - setUp;

            var replies = new ConcurrentDictionary<string, List<string>>();
            var failedTurns = new ConcurrentQueue<string>();
            var turns = Stopwatch.StartNew();
            // A conversation runs one turn at a time: each one's turns go one after the other.
            await Parallel.ForEachAsync(all, Options(ConcurrentTurns, timeout.Token), async (subscriber, ct) =>
            {
                var conversationReplies = replies[subscriber.ConversationId] = [];
                for (var turn = 0; turn < TurnsPerConversation; turn++)
                {
                    var message = $"t{turn} " + string.Join(' ', Enumerable.Range(1, ReplyWords - 2).Select(i => $"w{i}"));
                    using var sent = await http.PostAsJsonAsync($"/conversations/{subscriber.ConversationId}/messages", new { message }, ct);
                    if (!sent.IsSuccessStatusCode)
                    {
                        failedTurns.Enqueue($"{subscriber.ConversationId}: {(int)sent.StatusCode} {await sent.Content.ReadAsStringAsync(ct)}");
                        return;
                    }

                    conversationReplies.Add((await sent.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("content").GetString()!);
                }
            });
            var turnsTime = turns.Elapsed;
            Assert.True(failedTurns.IsEmpty, string.Join('\n', failedTurns.Take(10)));

            // The turns are over; their last events may still be on the way to some subscribers.
            var readers = sseReaders.Concat(sockets.Select(s => s.Reading)).ToArray();
            while (all.Any(s => s.TerminalEvents < TurnsPerConversation) && !readers.Any(r => r.IsFaulted) && turns.Elapsed < turnsTime + TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100, timeout.Token);
            }

            foreach (var faulted in readers.Where(r => r.IsFaulted))
            {
                await faulted; // throws the first subscription error
            }

            var problems = all.SelectMany(s => s.Problems(replies[s.ConversationId])).ToList();
            Assert.True(problems.Count == 0, $"{problems.Count} problems, the first ones:\n" + string.Join('\n', problems.Take(20)));

            var (_, rssPeak, _, _) = meter.ResidentMegabytes();
            output.WriteLine($"{Conversations} subscriptions ({sseSubscribers.Length} SSE, {socketSubscribers.Length} WebSocket on {sockets.Length} sockets), "
                + $"{TurnsPerConversation} turns of {ReplyWords} tokens every {TokenInterval.TotalMilliseconds} ms on each, {ConcurrentTurns} at a time; {Environment.ProcessorCount} cores, load average {ProcessMeter.LoadAverage()}");
            output.WriteLine($"gateway RSS: {rssBefore:F1} MB before subscribing, {rssIdle:F1} MB with {Conversations} idle subscriptions, peak {rssPeak:F1} MB");
            output.WriteLine($"memory per idle subscription: {(rssIdle - rssBefore) * 1024 / Conversations:F1} KB (RSS difference / {Conversations}; GC-dependent, so only roughly)");
            output.WriteLine($"run time {run.Elapsed.TotalSeconds:F1} s: set-up {setUp.TotalSeconds:F1} s, subscribing {subscribing.TotalSeconds:F1} s, "
                + $"turns {turnsTime.TotalSeconds:F1} s ({Conversations * TurnsPerConversation * ReplyWords / turnsTime.TotalSeconds:F0} tokens/s relayed to subscribers)");
        }
        finally
        {
            await subscribed.CancelAsync();
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }

            // Wait for the readers to stop; a failure of theirs was reported above.
            await Task.WhenAll(sseReaders.Concat(sockets.Select(s => s.Reading)).Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    private static ParallelOptions Options(int parallelism, CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
}
