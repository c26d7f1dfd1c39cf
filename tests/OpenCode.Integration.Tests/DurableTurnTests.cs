using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Integration.Tests;

/// <summary>The embedded profile: a gateway killed mid-turn and restarted on its data directory finishes the turn by itself.</summary>
public sealed class DurableTurnTests
{
    private static readonly Dictionary<string, string?> ShortReminder = new() { ["Orleans__TurnReminderSeconds"] = "2" };

    [Fact]
    public async Task A_turn_cut_off_by_kill_9_finishes_after_the_gateway_restarts_without_a_client_call()
    {
        await using var model = await FakeModelServer.StartAsync();
        var first = await GatewayProcess.StartAsync(environment: ShortReminder);
        var dataDirectory = first.DataDirectory;
        string conversation;
        string modelName;
        await using (first)
        {
            var agentId = "agent-" + Guid.NewGuid().ToString("N")[..10];
            modelName = "model-" + agentId;
            var created = await first.Client.PostAsJsonAsync("/agents", new
            {
                id = agentId,
                name = "Durable",
                instructions = "Be brief.",
                model = new { provider = "openai", name = modelName, endpoint = model.BaseUrl.ToString() },
                mcp = new { servers = new[] { new { name = "test", command = TestMcpServerCommand.Command, args = TestMcpServerCommand.Args } } },
            });
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            var response = await first.Client.PostAsJsonAsync("/conversations", new { agentId });
            conversation = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
            model.Script(modelName, FakeReply.ToolCall("test_slow", """{"ms":5000}"""), FakeReply.Text("finished after the restart"));

            var cutOff = first.Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "start something slow" });
            await WaitUntilAsync(async () => (await MessagesAsync(first.Client, conversation)).Any(m => m!["toolCalls"] is not null), TimeSpan.FromSeconds(60));
            first.Kill();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => cutOff);
        }

        await using var second = await GatewayProcess.StartAsync(dataDirectory, ShortReminder);
        var clock = Stopwatch.StartNew();
        // Nobody asks the conversation: its reminder brings the turn back, and the model is asked for the next step only.
        await WaitUntilAsync(() => Task.FromResult(model.Requests.Count(r => r.Model == modelName) == 2), TimeSpan.FromSeconds(90));
        Console.WriteLine($"Embedded profile: the turn resumed {clock.Elapsed.TotalSeconds:F1} s after the gateway restarted");
        await WaitUntilAsync(async () => (await second.Client.GetFromJsonAsync<JsonObject>($"/conversations/{conversation}"))!["status"]!.GetValue<string>() == "idle", TimeSpan.FromSeconds(30));

        var messages = await MessagesAsync(second.Client, conversation);
        Assert.Equal(["start something slow", "", "finished after the restart"], messages.Select(m => (string?)m!["content"] ?? ""));
        Assert.Equal("interrupted", (string?)messages[1]!["toolCalls"]![0]!["status"]);
        Assert.Equal(2, model.Requests.Count(r => r.Model == modelName));
    }

    private static async Task<JsonArray> MessagesAsync(HttpClient client, string conversation) =>
        (await client.GetFromJsonAsync<JsonObject>($"/conversations/{conversation}/messages"))!["messages"]!.AsArray();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the condition did not hold within {limit}");
    }
}
