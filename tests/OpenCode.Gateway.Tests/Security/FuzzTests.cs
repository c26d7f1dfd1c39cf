using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>
/// Thousands of malformed and hostile requests and WebSocket frames — random JSON, deep nesting, huge strings,
/// invalid UTF-8 (in bodies and in text frames), binary frames, wrong types, odd paths and queries — with and without
/// credentials: no 5xx, the server stays up, and what existed before is intact and usable after.
/// </summary>
[Collection(SecureGatewayCollection.Name)]
public sealed class FuzzTests(SecureGatewayFixture fixture, ITestOutputHelper output)
{
    private const int HttpRequests = 10_000;
    private const int WebSocketFrames = 10_000;

    [Fact]
    public async Task Ten_thousand_hostile_requests_and_ten_thousand_frames_get_no_server_error_and_corrupt_nothing()
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

    /// <summary>
    /// Hostile frames on sockets that are reopened whenever the server closes one. The errors: answers with an internal
    /// error, a binary frame answered otherwise than as an invalid request, and text that is not UTF-8 not failing the
    /// connection with 1007 (RFC 6455 8.1).
    /// </summary>
    private async Task<List<string>> SendHostileFramesAsync(Random random, string conversationId)
    {
        var errors = new List<string>();
        var failing = new List<Task<string?>>();
        var socket = await ConnectAsync();
        var (answerable, answered) = (0, 0);
        for (var i = 0; i < WebSocketFrames; i++)
        {
            var frame = HostileFrame.Next(random, conversationId);
            if (socket.State != WebSocketState.Open)
            {
                await socket.DisposeAsync();
                socket = await ConnectAsync();
            }

            try
            {
                await socket.SendBytesAsync(frame.Bytes, frame.Type);
                if (frame.IsInvalidText)
                {
                    // The close handshake takes its time: checked aside while the next frames go on a new socket.
                    failing.Add(FailedWithInvalidPayloadAsync(socket, frame));
                    socket = await ConnectAsync();
                    continue;
                }

                answerable++;
                var answer = await socket.NextResponseAsync(TimeSpan.FromSeconds(10));
                answered++;
                var code = answer["error"]?["code"]?.GetValue<int>();
                if (code == -32603 || (frame.Type == WebSocketMessageType.Binary && code != -32600))
                {
                    errors.Add($"{frame} → {answer.ToJsonString()}");
                }
            }
            catch (Exception ex) when (ex is TimeoutException or WebSocketException or InvalidOperationException)
            {
                // A frame the server answers by closing the socket (oversized): reconnect and go on.
            }
        }

        await socket.DisposeAsync();
        errors.AddRange((await Task.WhenAll(failing)).OfType<string>());
        output.WriteLine($"WebSocket frames: {WebSocketFrames}, answered: {answered} of {answerable}, not UTF-8 (connection failed): {failing.Count}");
        // Oversized frames may close the socket unanswered; a server that stopped answering may not pass.
        Assert.True(answered >= answerable * 9 / 10, $"only {answered} of {answerable} frames were answered");
        return errors;
    }

    /// <summary>Null when the server failed the connection with 1007 for <paramref name="frame"/>, else what it did.</summary>
    private static async Task<string?> FailedWithInvalidPayloadAsync(OpenCode.Testing.WebSocketJsonClient socket, HostileFrame frame)
    {
        await using (socket)
        {
            var closed = await Task.WhenAny(socket.Closed, Task.Delay(TimeSpan.FromSeconds(15))) == socket.Closed;
            return closed && socket.CloseStatus == WebSocketCloseStatus.InvalidPayloadData
                ? null
                : $"{frame} → {(closed ? $"closed with '{socket.CloseStatus}'" : "still open")}";
        }
    }

    private Task<OpenCode.Testing.WebSocketJsonClient> ConnectAsync() =>
        fixture.ConnectAsync(o => o.SetRequestHeader("X-API-Key", fixture.AdminKey));

    /// <summary>One hostile WebSocket frame: its bytes, sent as they are, and its type.</summary>
    private sealed record HostileFrame(byte[] Bytes, WebSocketMessageType Type)
    {
        private static readonly string[] Methods =
        [
            "initialize", "agents.create", "agents.get", "agents.list", "conversations.create", "conversations.subscribe",
            "conversations.unsubscribe", "messages.send", "conversations.cancel", "approvals.reply", "nope", "",
        ];

        /// <summary>Byte sequences that are never UTF-8: a byte no character uses, an overlong '/', a surrogate, a lone continuation, past U+10FFFF, a truncated character.</summary>
        private static readonly byte[][] NotUtf8 = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];

        /// <summary>Text that is not UTF-8, which the server must refuse by failing the connection.</summary>
        public bool IsInvalidText => Type == WebSocketMessageType.Text && !System.Text.Unicode.Utf8.IsValid(Bytes);

        public static HostileFrame Next(Random random, string conversationId) => random.Next(9) switch
        {
            0 => Text(Hostile.Json(Hostile.RandomJson(random, 4))),
            1 => Text(new string('[', random.Next(1, 5000))),
            2 => Text($$"""{"type":"request","id":{{Hostile.Json(Hostile.RandomJson(random, 1))}},"method":"{{Methods[random.Next(Methods.Length)]}}","params":{{Hostile.Json(Hostile.RandomJson(random, 3))}}}"""),
            3 => Text($$$"""{"type":"request","id":"x","method":"messages.send","params":{"conversationId":"{{{conversationId}}}","message":{{{Hostile.Json(Hostile.RandomJson(random, 2))}}},"idempotencyKey":{{{Hostile.Json(Hostile.RandomJson(random, 1))}}}}}"""),
            4 => Text("{\"type\":\"request\",\"id\":1,\"method\":\"agents.get\",\"params\":{\"agentId\":\"" + new string('\u0001', 50) + "\\ud800\"}}"),
            // Random characters, sent as their UTF-8.
            5 => Text(Encoding.Latin1.GetString(Hostile.RandomBytes(random, random.Next(1, 300)))),
            6 or 7 => new(NotUtf8Text(random), WebSocketMessageType.Text),
            _ => new(random.Next(2) == 0 ? Hostile.RandomBytes(random, random.Next(1, 300)) : Encoding.UTF8.GetBytes("""{"type":"request","id":"b","method":"initialize"}"""), WebSocketMessageType.Binary),
        };

        public override string ToString() => $"{Type} {Hostile.Shorten(Type == WebSocketMessageType.Text ? Encoding.UTF8.GetString(Bytes) : Convert.ToHexString(Bytes))}";

        private static HostileFrame Text(string text) => new(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

        /// <summary>A request, or random bytes, with a sequence that is not UTF-8 at a random place.</summary>
        private static byte[] NotUtf8Text(Random random)
        {
            var around = random.Next(2) == 0
                ? Encoding.UTF8.GetBytes("""{"type":"request","id":"u","method":"agents.get","params":{"agentId":"é"}}""")
                : Hostile.RandomBytes(random, random.Next(0, 300));
            var bad = NotUtf8[random.Next(NotUtf8.Length)];
            var at = random.Next(around.Length + 1);
            return [.. around.AsSpan(0, at), .. bad, .. around.AsSpan(at)];
        }
    }

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

        public static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

        public static JsonNode? RandomJson(Random random, int depth) => random.Next(depth <= 0 ? 5 : 8) switch
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

        public static byte[] RandomBytes(Random random, int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }
    }
}
