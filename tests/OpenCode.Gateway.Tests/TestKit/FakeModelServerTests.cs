using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.TestKit;

/// <summary>The fake model driven by the production client stack: OpenAI SDK behind Microsoft.Extensions.AI.</summary>
public sealed class FakeModelServerTests : IAsyncLifetime
{
    private FakeModelServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeModelServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Unscripted_request_gets_an_echo_of_the_last_user_message_as_json()
    {
        var response = await Client("gpt-test").GetResponseAsync(
            [new(ChatRole.System, "be brief"), new(ChatRole.User, "first"), new(ChatRole.Assistant, "ok"), new(ChatRole.User, "hello there world")]);

        Assert.Equal("echo: hello there world", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(7, response.Usage?.InputTokenCount); // words in all messages
        Assert.Equal(4, response.Usage?.OutputTokenCount);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("gpt-test", request.Model);
        Assert.False(request.Stream);
        Assert.Equal(["system", "user", "assistant", "user"], request.Messages.Select(m => m.Role));
        Assert.Equal("hello there world", request.LastUserMessage);
        Assert.Equal("Bearer test-key", request.Authorization);
        Assert.Equal("gpt-test", JsonDocument.Parse(request.Body).RootElement.GetProperty("model").GetString());
        Assert.Equal(1, _server.RequestCount);
    }

    [Fact]
    public async Task Scripted_replies_are_consumed_in_order_for_their_model_only()
    {
        _server.Script("scripted", FakeReply.Text("one"), FakeReply.Text("two"));

        Assert.Equal("echo: hi", (await Client("other").GetResponseAsync("hi")).Text);
        Assert.Equal("one", (await Client("scripted").GetResponseAsync("hi")).Text);
        Assert.Equal("two", (await Client("scripted").GetResponseAsync("hi")).Text);
        Assert.Equal("echo: again", (await Client("scripted").GetResponseAsync("again")).Text);
    }

    [Fact]
    public async Task Concurrent_requests_each_take_a_different_scripted_reply()
    {
        var expected = Enumerable.Range(0, 32).Select(i => $"reply {i}").ToArray();
        _server.Script("parallel", [.. expected.Select(FakeReply.Text)]);
        var client = Client("parallel");

        var texts = await Task.WhenAll(expected.Select(_ => client.GetResponseAsync("go")));

        Assert.Equal(expected.Order(), texts.Select(r => r.Text).Order());
        Assert.Equal(32, _server.RequestCount);
    }

    [Fact]
    public async Task Streaming_reply_arrives_in_several_chunks_that_assemble_to_the_text_with_usage()
    {
        const string text = "The quick brown fox jumps";
        _server.Script("stream", FakeReply.Text(text));

        var updates = await ToListAsync(Client("stream").GetStreamingResponseAsync("go"));
        var response = updates.ToChatResponse();

        Assert.Equal(text, response.Text);
        Assert.True(updates.Count(u => u.Text.Length > 0) >= 5, "one chunk per word");
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
        Assert.True(Assert.Single(_server.Requests).Stream);
    }

    [Fact]
    public async Task Scripted_tool_call_is_parsed_as_function_call_content_with_its_arguments()
    {
        _server.Script("tools", FakeReply.ToolCall("echo", """{"message":"hi there"}"""));
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string message) => message, "echo")] };

        var response = await Client("tools").GetResponseAsync("call echo", options);

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("echo", call.Name);
        Assert.StartsWith("call_", call.CallId);
        Assert.Equal("hi there", call.Arguments?["message"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(["echo"], Assert.Single(_server.Requests).ToolNames);
    }

    [Fact]
    public async Task Several_tool_calls_stream_as_deltas_and_assemble_into_distinct_calls()
    {
        _server.Script("tools", FakeReply.ToolCalls(new("add", """{"a":2,"b":3}"""), new("echo", """{"message":"ünïcode ✓"}""")));
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.Create((int a, int b) => a + b, "add"), AIFunctionFactory.Create((string message) => message, "echo")],
        };

        var response = (await ToListAsync(Client("tools").GetStreamingResponseAsync("go", options))).ToChatResponse();

        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["add", "echo"], calls.Select(c => c.Name));
        Assert.Equal(2, calls.Select(c => c.CallId).Distinct().Count());
        Assert.Equal("3", calls[0].Arguments?["b"]?.ToString());
        Assert.Equal("ünïcode ✓", calls[1].Arguments?["message"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task Tool_results_sent_back_are_recorded_with_their_call_id()
    {
        await Client("m").GetResponseAsync(
        [
            new(ChatRole.User, "add"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_7", "add", new Dictionary<string, object?> { ["a"] = 1 })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_7", "42")]),
        ]);

        var tool = Assert.Single(_server.Requests).Messages.Single(m => m.Role == "tool");
        Assert.Equal("call_7", tool.ToolCallId);
        Assert.Equal("42", tool.Content);
    }

    [Theory]
    [InlineData(400, false)]
    [InlineData(429, false)]
    [InlineData(503, true)]
    public async Task Error_reply_surfaces_as_an_exception_with_its_status(int status, bool streaming)
    {
        _server.Script("broken", FakeReply.Error(status, "scripted failure"));
        var client = Client("broken");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => streaming
            ? ToListAsync(client.GetStreamingResponseAsync("go"))
            : client.GetResponseAsync("go"));

        Assert.Equal(status, error.Status);
        Assert.Contains("scripted failure", error.Message);
        Assert.Equal("echo: go", (await client.GetResponseAsync("go")).Text); // the error was consumed
    }

    [Fact]
    public async Task Latency_and_per_reply_delay_hold_the_reply_back()
    {
        _server.Latency = TimeSpan.FromMilliseconds(200);
        _server.Script("slow", FakeReply.Text("late").WithDelay(TimeSpan.FromMilliseconds(200)));

        var watch = Stopwatch.StartNew();
        var response = await Client("slow").GetResponseAsync("go");

        Assert.Equal("late", response.Text);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(390), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Token_interval_spaces_the_streamed_chunks()
    {
        _server.TokenInterval = TimeSpan.FromMilliseconds(60);
        _server.Script("slow", FakeReply.Text("a b c d e"));

        var arrivals = new List<TimeSpan>();
        var watch = Stopwatch.StartNew();
        await foreach (var update in Client("slow").GetStreamingResponseAsync("go"))
        {
            if (update.Text.Length > 0)
            {
                arrivals.Add(watch.Elapsed);
            }
        }

        Assert.Equal(5, arrivals.Count);
        // The server sends the last chunk four intervals after the first. A stall on this side (a collection, the first
        // streamed call's JIT) may hold the first chunks back until more arrive, but it cannot bring the last one forward.
        Assert.True(arrivals[^1] >= TimeSpan.FromMilliseconds(4 * 55), $"chunks at {string.Join(", ", arrivals)}");
        Assert.True(arrivals[^1] - arrivals[0] >= TimeSpan.FromMilliseconds(2 * 55), $"chunks at {string.Join(", ", arrivals)}");
    }

    [Fact]
    public async Task Timestamp_tokens_carry_the_moment_each_was_sent_and_answer_unscripted_requests()
    {
        _server.TokenInterval = TimeSpan.FromMilliseconds(30);
        _server.UnscriptedReply = FakeReply.Timestamps(4);

        var before = Stopwatch.GetTimestamp();
        var stamps = new List<(long Sent, long Received)>();
        await foreach (var update in Client("any").GetStreamingResponseAsync("go"))
        {
            if (update.Text.Length > 0)
            {
                stamps.Add((long.Parse(update.Text, System.Globalization.CultureInfo.InvariantCulture), Stopwatch.GetTimestamp()));
            }
        }

        Assert.Equal(4, stamps.Count);
        Assert.All(stamps, s => Assert.InRange(s.Sent, before, s.Received));
        Assert.True(Stopwatch.GetElapsedTime(stamps[0].Sent, stamps[^1].Sent) >= TimeSpan.FromMilliseconds(3 * 25), $"sent at {string.Join(", ", stamps)}");
        var whole = await Client("any").GetResponseAsync("go");
        Assert.Equal(4, whole.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(4, whole.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task Models_are_listed_and_the_unversioned_path_answers_too()
    {
        _server.Script("scripted-model", FakeReply.Text("x"));
        using var http = new HttpClient();

        var models = JsonDocument.Parse(await http.GetStringAsync($"{_server.BaseUrl}/models")).RootElement.GetProperty("data");
        Assert.Equal([FakeModelServer.DefaultModel, "scripted-model"], models.EnumerateArray().Select(m => m.GetProperty("id").GetString()));

        var root = new Uri(_server.BaseUrl, "/chat/completions");
        using var reply = await http.PostAsync(root, new StringContent("""{"model":"scripted-model","messages":[{"role":"user","content":"q"}]}""", Encoding.UTF8, "application/json"));
        var content = JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("x", content.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Invalid_json_gets_an_openai_style_400()
    {
        using var http = new HttpClient();

        using var reply = await http.PostAsync($"{_server.BaseUrl}/chat/completions", new StringContent("not json", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        var error = JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(0, _server.RequestCount);
    }

    // Retries off: the SDK would otherwise retry 429/5xx and consume the scripted error replies silently.
    private IChatClient Client(string model) =>
        new OpenAIClient(new ApiKeyCredential("test-key"), new OpenAIClientOptions { Endpoint = _server.BaseUrl, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) })
            .GetChatClient(model)
            .AsIChatClient();

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
