using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Integration.Tests.Cluster;

/// <summary>The HTTP calls the cluster tests make, each asserting its answer.</summary>
internal static class ClusterApi
{
    public static object AgentBody(string id, FakeModelServer model) => new
    {
        id,
        name = "Cluster agent",
        instructions = "Be brief.",
        model = new { provider = "openai", name = "model-" + id, endpoint = model.BaseUrl.ToString() },
    };

    public static async Task<string> CreateAgentAsync(HttpClient client, FakeModelServer model)
    {
        var id = "agent-" + Guid.NewGuid().ToString("N")[..10];
        var response = await client.PostAsJsonAsync("/agents", AgentBody(id, model));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return id;
    }

    public static async Task<string> CreateConversationAsync(HttpClient client, string agentId)
    {
        var response = await client.PostAsJsonAsync("/conversations", new { agentId });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    /// <summary>Sends a message and asserts the fake model's echo came back.</summary>
    public static async Task SendAsync(HttpClient client, string conversationId, string message)
    {
        var response = await client.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { message });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("echo: " + message, (string?)JsonNode.Parse(body)!["content"]);
    }

    /// <summary>The contents of the whole history, oldest first.</summary>
    public static async Task<List<string?>> HistoryAsync(HttpClient client, string conversationId)
    {
        var response = await client.GetAsync($"/conversations/{conversationId}/messages?limit=200");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return [.. JsonNode.Parse(body)!["messages"]!.AsArray().Select(m => (string?)m!["content"])];
    }

    /// <summary>
    /// Sends <paramref name="message"/> until it is answered 200 (each failed attempt is retried after a moment); returns
    /// the time on <paramref name="clock"/> when it was. Fails after <paramref name="limit"/> on that clock.
    /// </summary>
    public static async Task<TimeSpan> SendUntilServedAsync(HttpClient client, string conversationId, string message, Stopwatch clock, TimeSpan limit)
    {
        var last = "no attempt";
        while (clock.Elapsed < limit)
        {
            try
            {
                using var response = await client.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { message });
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return clock.Elapsed;
                }

                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{conversationId} was not served within {limit} (last answer: {last}).");
    }

    public static async Task WaitForStatusAsync(HttpClient client, string path, HttpStatusCode status, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync(path);
            last = response.StatusCode;
            if (last == status)
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"{path} did not answer {(int)status} within {limit} (last: {(int?)last}).");
    }
}
