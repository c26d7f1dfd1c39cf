using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>
/// Thousands of malformed and hostile requests and WebSocket frames — random JSON, deep nesting, huge strings,
/// invalid UTF-8, wrong types, odd paths and queries — with and without credentials: no 5xx, the server stays up,
/// and what existed before is intact and usable after.
/// </summary>
[Collection(SecureGatewayCollection.Name)]
public sealed class FuzzTests(SecureGatewayFixture fixture, ITestOutputHelper output)
{
    private const int HttpRequests = 10_000;
    private const int WebSocketFrames = 2_000;

    [Fact]
    public async Task Ten_thousand_hostile_requests_and_two_thousand_frames_get_no_server_error_and_corrupt_nothing()
    {
        var agentId = await fixture.CreateAgentAsync();
        var conversationId = await fixture.CreateConversationAsync(fixture.Admin, agentId);
        Assert.True((await fixture.Admin.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { message = "before" })).IsSuccessStatusCode);
        var agentBefore = await fixture.Admin.GetStringAsync($"/agents/{agentId}");

        var random = new Random(20261126);
        var requests = Enumerable.Range(0, HttpRequests).Select(_ => Hostile.Request(random, agentId, conversationId)).ToList();
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var serverErrors = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (hostile, ct) =>
        {
            using var request = hostile.ToMessage(fixture.AdminKey);
            HttpResponseMessage response;
            try
            {
                // An event stream never ends by itself: its status is what counts.
                response = await fixture.Anonymous.SendAsync(request, hostile.IsEventStream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, ct);
            }
            catch (HttpRequestException) when (hostile.Body is { Length: > 64 * 1024 })
            {
                // Answered (401, 404…) before the big body was read: Kestrel then resets rather than read it all.
                statuses.AddOrUpdate(0, 1, (_, n) => n + 1);
                return;
            }

            using var answer = response;
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            if ((int)response.StatusCode >= 500)
            {
                serverErrors.Add($"{hostile} → {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
        });
        output.WriteLine("HTTP answers (0: reset after an early answer to a big body): " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));

        var frameErrors = await SendHostileFramesAsync(random, conversationId);

        Assert.True(serverErrors.IsEmpty, string.Join("\n", serverErrors.Take(10)));
        Assert.True(frameErrors.Count == 0, string.Join("\n", frameErrors.Take(10)));
        Assert.Equal(HttpStatusCode.OK, (await fixture.Anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Anonymous.GetAsync("/ready")).StatusCode);
        Assert.Equal(agentBefore, await fixture.Admin.GetStringAsync($"/agents/{agentId}"));
        var after = await fixture.Admin.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { message = "after" });
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var history = (await fixture.Admin.GetFromJsonAsync<JsonObject>($"/conversations/{conversationId}/messages?limit=200"))!["messages"]!.AsArray();
        Assert.Equal("before", history[0]!["content"]!.GetValue<string>());
        Assert.Equal("echo: after", history[^1]!["content"]!.GetValue<string>());
        Assert.All(history, m => Assert.Contains(m!["role"]!.GetValue<string>(), new[] { "user", "assistant" }));
    }

    /// <summary>Hostile frames on sockets that are reopened whenever the server closes one; the errors are answers with an internal error.</summary>
    private async Task<List<string>> SendHostileFramesAsync(Random random, string conversationId)
    {
        var errors = new List<string>();
        var socket = await ConnectAsync();
        var answered = 0;
        for (var i = 0; i < WebSocketFrames; i++)
        {
            var frame = Hostile.Frame(random, conversationId);
            if (socket.State != System.Net.WebSockets.WebSocketState.Open)
            {
                await socket.DisposeAsync();
                socket = await ConnectAsync();
            }

            try
            {
                await socket.SendTextAsync(frame);
                var answer = await socket.NextResponseAsync(TimeSpan.FromSeconds(10));
                answered++;
                if (answer["error"]?["code"]?.GetValue<int>() == -32603)
                {
                    errors.Add($"{Hostile.Shorten(frame)} → {answer.ToJsonString()}");
                }
            }
            catch (Exception ex) when (ex is TimeoutException or System.Net.WebSockets.WebSocketException or InvalidOperationException)
            {
                // A frame the server answers by closing the socket (oversized, invalid UTF-8): reconnect and go on.
            }
        }

        await socket.DisposeAsync();
        output.WriteLine($"WebSocket frames: {WebSocketFrames}, answered: {answered}");
        // Oversized or undecodable frames may close the socket unanswered; a server that stopped answering may not pass.
        Assert.True(answered >= WebSocketFrames * 9 / 10, $"only {answered} of {WebSocketFrames} frames were answered");
        return errors;
    }

    private Task<OpenCode.Testing.WebSocketJsonClient> ConnectAsync() =>
        fixture.ConnectAsync(o => o.SetRequestHeader("X-API-Key", fixture.AdminKey));

    /// <summary>One hostile HTTP request: method, path, headers and body bytes.</summary>
    private sealed record Hostile(HttpMethod Method, string Path, byte[]? Body, string? ContentType, bool Authenticated)
    {
        /// <summary>Each route with the methods it answers: most requests use one of them, so they reach the endpoint's own code.</summary>
        private static readonly (string Route, string[] Methods)[] Routes =
        [
            ("/agents", ["GET", "POST"]), ("/agents/{agent}", ["GET", "PUT", "DELETE"]), ("/agents/{agent}/tools", ["GET"]),
            ("/agents/{agent}/tool-changes", ["GET"]), ("/agents/{agent}/tool-changes/x_y/accept", ["POST"]),
            ("/agents/{agent}/mcp-servers", ["GET"]), ("/conversations", ["GET", "POST"]), ("/conversations/{conv}", ["GET", "PATCH", "DELETE"]),
            ("/conversations/{conv}/messages", ["GET", "POST"]), ("/conversations/{conv}/cancel", ["POST"]),
            ("/conversations/{conv}/approvals", ["GET"]), ("/conversations/{conv}/approvals/appr-1", ["POST"]),
            ("/conversations/{conv}/events", ["GET"]), ("/admin/api-keys", ["GET", "POST"]), ("/admin/api-keys/key-1", ["DELETE"]),
            ("/admin/audit", ["GET"]), ("/mcp/servers", ["GET"]), ("/ws/ticket", ["POST"]),
        ];

        private static readonly string[] Queries =
        [
            "", "?limit=-1", "?limit=999999999999", "?limit=abc", "?cursor=%00%ff", "?cursor=" + new string('z', 5000), "?after=-5",
            "?after=99999999999999999999", "?before=msg-none", "?from=yesterday&to=1970", "?from=9999-12-31T23:59:59Z", "?action=%F0%9F%92%A5",
            "?tenant=../../etc", "?limit=1&limit=2",
        ];

        private static readonly HttpMethod[] Methods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete];

        public static Hostile Request(Random random, string agentId, string conversationId)
        {
            var (route, methods) = Routes[random.Next(Routes.Length)];
            var method = random.Next(5) == 0 ? Methods[random.Next(Methods.Length)] : new HttpMethod(methods[random.Next(methods.Length)]);
            // The real agent and conversation take every hostile request but a well-formed delete, which would only do its job.
            var real = method != HttpMethod.Delete && random.Next(4) != 0;
            var path = route
                .Replace("{agent}", real ? agentId : WeirdSegment(random))
                .Replace("{conv}", real ? conversationId : WeirdSegment(random));
            var (body, contentType) = RandomBody(random);
            return new Hostile(method, path + Queries[random.Next(Queries.Length)], body, contentType, random.Next(10) != 0);
        }

        public static string Frame(Random random, string conversationId)
        {
            string[] methods = ["initialize", "agents.create", "agents.get", "agents.list", "conversations.create", "conversations.subscribe",
                "conversations.unsubscribe", "messages.send", "conversations.cancel", "approvals.reply", "nope", ""];
            return random.Next(6) switch
            {
                0 => Json(RandomJson(random, 4)),
                1 => new string('[', random.Next(1, 5000)),
                2 => $$"""{"type":"request","id":{{Json(RandomJson(random, 1))}},"method":"{{methods[random.Next(methods.Length)]}}","params":{{Json(RandomJson(random, 3))}}}""",
                3 => $$$"""{"type":"request","id":"x","method":"messages.send","params":{"conversationId":"{{{conversationId}}}","message":{{{Json(RandomJson(random, 2))}}},"idempotencyKey":{{{Json(RandomJson(random, 1))}}}}}""",
                4 => "{\"type\":\"request\",\"id\":1,\"method\":\"agents.get\",\"params\":{\"agentId\":\"" + new string('\u0001', 50) + "\\ud800\"}}",
                _ => Encoding.Latin1.GetString(RandomBytes(random, random.Next(1, 300))),
            };
        }

        public HttpRequestMessage ToMessage(string key)
        {
            var request = new HttpRequestMessage(Method, Path);
            if (Authenticated)
            {
                request.Headers.Add("X-API-Key", key);
            }

            if (Body is not null)
            {
                request.Content = new ByteArrayContent(Body);
                if (ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }
            }

            return request;
        }

        public bool IsEventStream => Path.EndsWith("/events", StringComparison.Ordinal) || Path.Contains("/events?", StringComparison.Ordinal);

        public override string ToString() => $"{Method} {Shorten(Path)} [{ContentType}] {(Body is null ? "" : Shorten(Encoding.UTF8.GetString(Body)))}";

        public static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + $"…({text.Length})";

        private static (byte[]? Body, string? ContentType) RandomBody(Random random) => random.Next(9) switch
        {
            0 => (null, null),
            1 => (Encoding.UTF8.GetBytes(Json(RandomJson(random, 5))), "application/json"),
            2 => (Encoding.UTF8.GetBytes(new string('[', 20_000) + new string(']', 20_000)), "application/json"),
            3 => (Encoding.UTF8.GetBytes($$"""{"name":"{{new string('x', 300_000)}}","message":"{{new string('y', 300_000)}}"}"""), "application/json"),
            4 => ([0x7b, 0x22, 0x6d, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d], "application/json"),
            5 => (Encoding.UTF8.GetBytes(WrongTypes[random.Next(WrongTypes.Length)]), "application/json"),
            6 => (RandomBytes(random, random.Next(1, 2000)), random.Next(2) == 0 ? "application/json" : "application/octet-stream"),
            7 => (Encoding.UTF8.GetBytes("""{"message": "hi", "message": 5, "agentId": "x"}"""), "text/plain"),
            _ => (Encoding.UTF8.GetBytes("""{"agent": {"name": "n", "model": {"provider": "openai", "name": "m", "temperature": 1e309, "max_tokens": -1}}}"""), "application/json; charset=utf-16"),
        };

        private static readonly string[] WrongTypes =
        [
            """{"message": 123}""", """{"message": ["a"]}""", """{"agentId": {}, "message": null}""", """{"decision": true}""",
            """{"name": 5, "roles": "admin"}""", """{"permissions": [1, 2]}""", """{"model": "gpt"}""", """{"mcp": {"servers": 7}}""",
            """{"limits": {"maxSteps": "many"}}""", """{"access": {"users": {"a": 1}}}""", "[]", "null", "\"just a string\"", "{\"a\":", "{}}",
            """{"message": "\u0000\uFFFF"}""", """{"metadata": {"k": {"deep": [1]}}}""", """{"busyPolicy": "explode"}""",
        ];

        private static string WeirdSegment(Random random) => random.Next(8) switch
        {
            0 => "%2e%2e%2f%2e%2e",
            1 => new string('a', 3000),
            2 => "%00",
            3 => "%F0%9F%92%A5",
            4 => "conv-" + new string('0', 32),
            5 => "agent%2Fother",
            6 => "' OR 1=1 --",
            _ => Uri.EscapeDataString(Encoding.Latin1.GetString(RandomBytes(random, 12))),
        };

        private static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

        private static JsonNode? RandomJson(Random random, int depth) => random.Next(depth <= 0 ? 5 : 8) switch
        {
            0 => null,
            1 => JsonValue.Create(random.Next(3) == 0 ? long.MaxValue : random.Next(-1000, 1000)),
            2 => JsonValue.Create(random.NextDouble() * 1e300),
            3 => JsonValue.Create(random.Next(2) == 0),
            4 => JsonValue.Create(random.Next(5) == 0 ? new string('s', random.Next(1, 100_000)) : "str\u0000\u202e"),
            5 or 6 => new JsonObject(Enumerable.Range(0, random.Next(1, 6)).Select(i => KeyValuePair.Create(
                new[] { "message", "agentId", "name", "model", "id", "type", "method", "params", "roles", "k" + i }[random.Next(10)] + (i > 0 ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""),
                RandomJson(random, depth - 1)))),
            _ => new JsonArray([.. Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomJson(random, depth - 1))]),
        };

        private static byte[] RandomBytes(Random random, int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }
    }
}
