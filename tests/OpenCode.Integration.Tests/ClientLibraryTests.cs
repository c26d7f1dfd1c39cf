using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenCode.Abstractions;
using OpenCode.Client;
using OpenCode.Testing;

namespace OpenCode.Integration.Tests;

/// <summary>An internal service in its own process uses the grain client library against a running gateway.</summary>
public sealed class ClientLibraryTests
{
    [Fact]
    public async Task A_service_creates_an_agent_and_converses_through_the_client_library()
    {
        await using var model = await FakeModelServer.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.AddOpenCodeClient(o => o.GatewayPort = gateway.OrleansGatewayPort);
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<OpenCodeClient>();

        var agent = await client.Agents.CreateAsync(new AgentConfig
        {
            Name = "From a service",
            Model = new ModelConfig { Provider = "openai", Name = "svc-model", Endpoint = model.BaseUrl.ToString() },
        });
        var conversation = await client.Conversations.CreateAsync(agent.Id);
        var outcome = await client.Conversations.SendAsync(conversation.Id, "hello from a service");

        Assert.True(outcome.Succeeded, outcome.Error?.Message);
        Assert.Equal("echo: hello from a service", outcome.Reply!.Content);
        var history = await client.Conversations.GetMessagesAsync(conversation.Id);
        Assert.Equal(["hello from a service", "echo: hello from a service"], history.Messages.Select(m => m.Content));
        Assert.Contains(await client.Agents.ListAsync(), a => a.Id == agent.Id);
        Assert.Contains((await client.Conversations.ListAsync()).Conversations, c => c.Id == conversation.Id);
        // The same data is what the HTTP API shows.
        var overHttp = await gateway.Client.GetStringAsync($"/conversations/{conversation.Id}");
        Assert.Contains("\"messageCount\":2", overHttp, StringComparison.Ordinal);

        await host.StopAsync();
    }

    [Fact]
    public async Task A_service_streams_a_turn_through_the_client_library_as_the_model_writes_it()
    {
        await using var model = await FakeModelServer.StartAsync();
        model.TokenInterval = TimeSpan.FromMilliseconds(50);
        await using var gateway = await GatewayProcess.StartAsync();
        using var host = await StartClientAsync(gateway);
        var client = host.Services.GetRequiredService<OpenCodeClient>();
        var agent = await client.Agents.CreateAsync(new AgentConfig
        {
            Name = "Streaming service",
            Model = new ModelConfig { Provider = "openai", Name = "svc-model", Endpoint = model.BaseUrl.ToString() },
        });
        var conversation = await client.Conversations.CreateAsync(agent.Id);

        // The first turn of a new gateway and client compiles their whole path; a stall of that longer than the
        // model's 300 ms would hand the deltas over together. Timed from the second turn.
        long warmedUpTo = 0;
        await foreach (var e in client.Conversations.StreamTurnAsync(conversation.Id, "warm up"))
        {
            warmedUpTo = e.Seq;
        }

        var events = new List<(ConversationEvent Event, TimeSpan At)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await foreach (var e in client.Conversations.StreamTurnAsync(conversation.Id, "one two three four five"))
        {
            events.Add((e, clock.Elapsed));
        }

        Assert.Equal(ConversationEventTypes.TurnStarted, events[0].Event.Type);
        Assert.Equal(ConversationEventTypes.TurnCompleted, events[^1].Event.Type);
        Assert.Single(events, e => e.Event.IsTerminal);
        Assert.All(events.Zip(events.Skip(1)), pair => Assert.Equal(pair.First.Event.Seq + 1, pair.Second.Event.Seq));
        var deltas = events.Where(e => e.Event.Type == ConversationEventTypes.MessageDelta).ToList();
        Assert.Equal("echo: one two three four five", string.Concat(deltas.Select(d => d.Event.Text)));
        // Six tokens 50 ms apart: the deltas came as the model wrote them, not together at the end.
        Assert.True(deltas.Count >= 3, $"{deltas.Count} deltas");
        Assert.True(events[^1].At - deltas[0].At >= TimeSpan.FromMilliseconds(150), $"first delta {deltas[0].At}, end {events[^1].At}");

        // Replayed from before it, the log holds the turn's message-level events with the same seqs.
        using var replayed = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var log = new List<ConversationEvent>();
        await foreach (var e in client.Conversations.EventsAsync(conversation.Id, warmedUpTo, replayed.Token))
        {
            log.Add(e);
            if (e.IsTerminal)
            {
                break;
            }
        }

        Assert.Equal(events[0].Event.Seq, log.Single(e => e.Type == ConversationEventTypes.TurnStarted).Seq);
        Assert.Equal((events[^1].Event.Seq, events[^1].Event.Type), (log[^1].Seq, log[^1].Type));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_service_cancels_a_streaming_turn_through_the_client_library()
    {
        await using var model = await FakeModelServer.StartAsync();
        model.TokenInterval = TimeSpan.FromMilliseconds(200);
        await using var gateway = await GatewayProcess.StartAsync();
        using var host = await StartClientAsync(gateway);
        var client = host.Services.GetRequiredService<OpenCodeClient>();
        var agent = await client.Agents.CreateAsync(new AgentConfig
        {
            Name = "Cancelled service",
            Model = new ModelConfig { Provider = "openai", Name = "svc-model", Endpoint = model.BaseUrl.ToString() },
        });
        var conversation = await client.Conversations.CreateAsync(agent.Id);

        var events = new List<ConversationEvent>();
        string? cancelled = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await foreach (var e in client.Conversations.StreamTurnAsync(conversation.Id, string.Join(' ', Enumerable.Repeat("word", 50))))
        {
            events.Add(e);
            if (e.Type == ConversationEventTypes.MessageDelta && cancelled is null)
            {
                clock.Restart();
                cancelled = await client.Conversations.CancelAsync(conversation.Id);
            }
        }

        Assert.Equal(events[0].TurnId, cancelled);
        Assert.Equal(ConversationEventTypes.TurnCancelled, events[^1].Type);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"turn.cancelled {clock.Elapsed} after the cancel");
        Assert.Null(await client.Conversations.CancelAsync(conversation.Id));
        await host.StopAsync();
    }

    [Fact]
    public async Task Following_events_carries_on_through_a_gateway_killed_and_restarted_mid_turn()
    {
        await using var model = await FakeModelServer.StartAsync();
        model.TokenInterval = TimeSpan.FromMilliseconds(100);
        // The restarted gateway listens where the first one did, so the client finds it again; a short turn reminder
        // brings the cut-off turn back soon after.
        var environment = new Dictionary<string, string?>
        {
            ["Orleans__TurnReminderSeconds"] = "2",
            ["Orleans__SiloPort"] = LoopbackPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = LoopbackPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var first = await GatewayProcess.StartAsync(environment: environment);
        await using var firstDisposal = first;
        var builder = Host.CreateApplicationBuilder();
        builder.AddOpenCodeClient(o => o.GatewayPort = int.Parse(environment["Orleans__GatewayPort"]!, System.Globalization.CultureInfo.InvariantCulture));
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<OpenCodeClient>();
        var agent = await client.Agents.CreateAsync(new AgentConfig
        {
            Name = "Restart-proof service",
            Model = new ModelConfig { Provider = "openai", Name = "svc-model", Endpoint = model.BaseUrl.ToString() },
        });
        var conversation = await client.Conversations.CreateAsync(agent.Id);

        var events = new List<ConversationEvent>();
        var firstDelta = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var streaming = Task.Run(async () =>
        {
            await foreach (var e in client.Conversations.StreamTurnAsync(conversation.Id, string.Join(' ', Enumerable.Repeat("word", 40)), cancellationToken: limit.Token))
            {
                events.Add(e);
                if (e.Type == ConversationEventTypes.MessageDelta)
                {
                    firstDelta.TrySetResult();
                }
            }
        });
        await firstDelta.Task.WaitAsync(limit.Token);
        first.Kill();
        await using var second = await GatewayProcess.StartAsync(first.DataDirectory, environment);
        await streaming;

        Assert.Equal(ConversationEventTypes.TurnStarted, events[0].Type);
        Assert.Equal(ConversationEventTypes.TurnCompleted, events[^1].Type);
        Assert.Single(events, e => e.IsTerminal);
        Assert.All(events.Zip(events.Skip(1)), pair => Assert.True(pair.First.Seq < pair.Second.Seq, $"seq {pair.Second.Seq} after {pair.First.Seq}"));
        await host.StopAsync();
    }

    [Fact]
    public async Task Invalid_configurations_are_refused_with_the_fields_named()
    {
        await using var gateway = await GatewayProcess.StartAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.AddOpenCodeClient(o => o.GatewayPort = gateway.OrleansGatewayPort);
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<OpenCodeClient>();

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => client.Agents.CreateAsync(new AgentConfig
        {
            Name = "bad",
            Model = new ModelConfig { Provider = "nope", Name = "m", Temperature = 9 },
        }));

        Assert.Equal(ErrorCodes.ValidationFailed, error.Code);
        Assert.Contains(error.Errors, e => e.Field == "model.provider");
        Assert.Contains(error.Errors, e => e.Field == "model.temperature");
        await host.StopAsync();
    }

    private static async Task<IHost> StartClientAsync(GatewayProcess gateway)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddOpenCodeClient(o => o.GatewayPort = gateway.OrleansGatewayPort);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
