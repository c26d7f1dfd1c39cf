using System.Net;
using System.Net.Http.Json;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>The embedded profile keeps everything in its data directory: a new process reads it all back.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Agents_and_whole_conversations_survive_a_restart()
    {
        await using var model = await FakeModelServer.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("opencode-restart-").FullName;
        string conversation;
        await using (var first = await GatewayProcess.StartAsync(dataDir))
        {
            var created = await first.Client.PostAsync("/agents", Json($$"""
                { "id": "keeper", "name": "Keeper", "model": { "provider": "openai", "name": "m", "endpoint": "{{model.BaseUrl}}" } }
                """));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var started = await ReadAsync(await first.Client.PostAsJsonAsync("/conversations", new { agentId = "keeper", message = "remember me" }));
            conversation = (string)started["id"]!;
            for (var i = 0; i < 40; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await first.Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = $"n{i}" })).StatusCode);
            }

            await first.StopAsync(TimeSpan.FromSeconds(20));
        }

        await using var second = await GatewayProcess.StartAsync(dataDir);
        var agent = await ReadAsync(await second.Client.GetAsync("/agents/keeper"));
        Assert.Equal("Keeper", (string?)agent["name"]);
        var info = await ReadAsync(await second.Client.GetAsync($"/conversations/{conversation}"));
        Assert.Equal(82, (int?)info["messageCount"]);
        var all = await ReadAsync(await second.Client.GetAsync($"/conversations/{conversation}/messages?limit=200"));
        var contents = all["messages"]!.AsArray().Select(m => (string?)m!["content"]).ToList();
        Assert.Equal(82, contents.Count);
        Assert.Equal("remember me", contents[0]);
        Assert.Equal("echo: n39", contents[^1]);

        var next = await ReadAsync(await second.Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "still here?" }));
        Assert.Equal("echo: still here?", (string?)next["content"]);
        var listed = await ReadAsync(await second.Client.GetAsync("/conversations"));
        Assert.Contains(listed["conversations"]!.AsArray(), c => (string?)c!["id"] == conversation);
    }

    [Fact]
    public async Task Two_gateways_run_side_by_side_on_their_own_data_and_ports()
    {
        await using var model = await FakeModelServer.StartAsync();
        await using var one = await GatewayProcess.StartAsync();
        await using var two = await GatewayProcess.StartAsync();

        await one.Client.PostAsync("/agents", Json($$"""{ "id": "only-in-one", "name": "One", "model": { "provider": "openai", "name": "m", "endpoint": "{{model.BaseUrl}}" } }"""));

        Assert.Equal(HttpStatusCode.OK, (await one.Client.GetAsync("/agents/only-in-one")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await two.Client.GetAsync("/agents/only-in-one")).StatusCode);
    }
}
