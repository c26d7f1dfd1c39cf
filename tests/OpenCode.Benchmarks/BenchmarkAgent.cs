using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OpenCode.Benchmarks;

/// <summary>
/// The agent the <c>--cluster</c> and <c>--history</c> modes talk to: its context window fits the instructions and
/// about the last ten messages (each about eight tokens), what <see cref="DirectModelTurn"/>'s request carries too.
/// </summary>
public static class BenchmarkAgent
{
    public const string Id = "bench";

    public static async Task CreateAsync(HttpClient http, Uri gateway, Uri modelUrl)
    {
        using var response = await http.PostAsJsonAsync(new Uri(gateway, "/agents"), JsonNode.Parse($$"""
            { "id": "{{Id}}", "name": "Benchmark", "instructions": "You are a helpful assistant.",
              "model": { "provider": "openai", "name": "fake-model", "endpoint": "{{modelUrl}}", "contextWindow": 350, "max_tokens": 256 } }
            """));
        response.EnsureSuccessStatusCode();
    }
}
