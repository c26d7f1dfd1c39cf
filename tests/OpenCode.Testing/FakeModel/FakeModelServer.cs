using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Envelope = OpenCode.Testing.ChatCompletionJson.Envelope;
using Usage = OpenCode.Testing.ChatCompletionJson.Usage;

namespace OpenCode.Testing;

/// <summary>
/// A model provider on a real loopback socket speaking the OpenAI chat-completions protocol
/// (JSON and SSE streaming), so the production OpenAI client code path runs unchanged in tests.
/// Replies are scripted per model name; unscripted requests get <c>echo: &lt;last user message&gt;</c>.
/// </summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    /// <summary>The model listed by <c>GET /v1/models</c> besides the scripted ones.</summary>
    public const string DefaultModel = "fake-model";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<FakeReply>> _scripts = new(StringComparer.Ordinal);
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _requestsLock = new();
    private int _requestCount;
    private int _lastCallId;
    private int _lastCompletionId;

    private FakeModelServer(WebApplication app) => _app = app;

    /// <summary>The OpenAI base URL, e.g. <c>http://127.0.0.1:PORT/v1</c>: what an agent's <c>model.endpoint</c> is set to.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Delay before every reply (default zero).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Delay between streamed chunks (default zero).</summary>
    public TimeSpan TokenInterval { get; set; }

    /// <summary>What requests get once their model's script is used up (or has none); null: <c>echo: &lt;last user message&gt;</c>.</summary>
    public FakeReply? UnscriptedReply { get; set; }

    /// <summary>
    /// Whether <see cref="Requests"/> keeps every request. Turn off for long load runs, where
    /// keeping every body would grow without bound; <see cref="RequestCount"/> still counts.
    /// </summary>
    public bool RecordRequests { get; set; } = true;

    /// <summary>Every chat-completions request received so far, in arrival order (a snapshot).</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requestsLock)
            {
                return [.. _requests];
            }
        }
    }

    public int RequestCount => Volatile.Read(ref _requestCount);

    public static async Task<FakeModelServer> StartAsync(int port = 0, CancellationToken ct = default)
    {
        var app = LoopbackHost.CreateBuilder(port).Build();
        var server = new FakeModelServer(app);
        RequestDelegate chat = server.HandleChatAsync;
        RequestDelegate models = server.HandleModelsAsync;
        app.MapPost("/v1/chat/completions", chat);
        app.MapPost("/chat/completions", chat);
        app.MapGet("/v1/models", models);
        app.MapGet("/models", models);
        await LoopbackHost.StartAsync(app, ct);

        server.BaseUrl = new Uri($"http://127.0.0.1:{LoopbackHost.BoundPort(app)}/v1");
        return server;
    }

    /// <summary>
    /// Queues replies for requests whose "model" equals <paramref name="model"/>; each request takes
    /// the next one, and once they are used up the default echo reply answers. Calls append.
    /// </summary>
    public void Script(string model, params FakeReply[] replies)
    {
        var queue = _scripts.GetOrAdd(model, static _ => new ConcurrentQueue<FakeReply>());
        foreach (var reply in replies)
        {
            queue.Enqueue(reply);
        }
    }

    public ValueTask DisposeAsync() => LoopbackHost.StopAsync(_app);

    private async Task HandleChatAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        try
        {
            var request = await ReadRequestAsync(context);
            if (request is null)
            {
                return;
            }

            var reply = NextReply(request);
            var delay = Latency + reply.Delay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, aborted);
            }

            if (reply.IsError)
            {
                await WriteErrorAsync(context.Response, reply.ErrorStatus, reply.ErrorMessage ?? "error", aborted);
                return;
            }

            var envelope = new Envelope(
                $"chatcmpl-{Interlocked.Increment(ref _lastCompletionId)}",
                DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                request.Model.Length > 0 ? request.Model : DefaultModel);
            var callIds = new string[reply.Calls.Count];
            for (var i = 0; i < callIds.Length; i++)
            {
                callIds[i] = $"call_{Interlocked.Increment(ref _lastCallId)}";
            }

            var usage = new Usage(request.PromptTokens(), TokenCount.Completion(reply));
            if (request.Stream)
            {
                await StreamAsync(context.Response, envelope, reply, callIds, request.IncludeUsage ? usage : null, aborted);
            }
            else
            {
                context.Response.ContentType = "application/json";
                using var json = new Utf8JsonWriter(context.Response.BodyWriter);
                ChatCompletionJson.WriteCompletion(json, envelope, reply.StampedTokens > 0 ? FakeReply.Text(Stamps(reply.StampedTokens)) : reply, callIds, usage);
                json.Flush();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away mid-reply (a cancelled turn); nothing to answer.
        }
    }

    /// <summary>Reads, parses and records the body; answers 400 itself and returns null when it is not JSON.</summary>
    private async Task<ChatRequest?> ReadRequestAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        var read = await reader.ReadAsync(context.RequestAborted);
        while (!read.IsCompleted)
        {
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            read = await reader.ReadAsync(context.RequestAborted);
        }

        var record = RecordRequests;
        ChatRequest request;
        string body;
        try
        {
            request = ChatRequest.Parse(read.Buffer);
            body = record ? Encoding.UTF8.GetString(read.Buffer) : "";
        }
        catch (JsonException e)
        {
            reader.AdvanceTo(read.Buffer.End);
            await WriteErrorAsync(context.Response, StatusCodes.Status400BadRequest, $"The body is not valid JSON: {e.Message}", context.RequestAborted);
            return null;
        }

        reader.AdvanceTo(read.Buffer.End);
        Interlocked.Increment(ref _requestCount);
        if (record)
        {
            var recorded = new RecordedRequest(
                request.Model, request.Stream, body, request.Messages, request.ToolNames, context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null);
            lock (_requestsLock)
            {
                _requests.Add(recorded);
            }
        }

        return request;
    }

    private FakeReply NextReply(ChatRequest request) =>
        _scripts.TryGetValue(request.Model, out var queue) && queue.TryDequeue(out var scripted)
            ? scripted
            : UnscriptedReply ?? FakeReply.Text("echo: " + request.Messages.LastOrDefault(m => m.Role == "user")?.Content);

    private async Task StreamAsync(HttpResponse response, Envelope envelope, FakeReply reply, string[] callIds, Usage? usage, CancellationToken ct)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var body = response.BodyWriter;
        using var json = new Utf8JsonWriter(body);

        ChatCompletionJson.WriteRoleChunk(BeginEvent(body, json), envelope);
        await EndEventAsync(body, json, ct);

        if (!string.IsNullOrEmpty(reply.Content))
        {
            foreach (var word in Words(reply.Content))
            {
                await PauseAsync(ct);
                ChatCompletionJson.WriteContentChunk(BeginEvent(body, json), envelope, word);
                await EndEventAsync(body, json, ct);
            }
        }

        for (var i = 0; i < reply.StampedTokens; i++)
        {
            await PauseAsync(ct);
            // Stamped after the pause, as close to the flush as the chunk allows.
            ChatCompletionJson.WriteContentChunk(BeginEvent(body, json), envelope, Stamp());
            await EndEventAsync(body, json, ct);
        }

        for (var i = 0; i < reply.Calls.Count; i++)
        {
            await PauseAsync(ct);
            ChatCompletionJson.WriteToolCallStartChunk(BeginEvent(body, json), envelope, i, callIds[i], reply.Calls[i].Name);
            await EndEventAsync(body, json, ct);
            foreach (var part in Pieces(reply.Calls[i].ArgumentsJson, 3))
            {
                await PauseAsync(ct);
                ChatCompletionJson.WriteToolCallArgumentsChunk(BeginEvent(body, json), envelope, i, part);
                await EndEventAsync(body, json, ct);
            }
        }

        ChatCompletionJson.WriteFinishChunk(BeginEvent(body, json), envelope, reply);
        await EndEventAsync(body, json, ct);

        if (usage is { } u)
        {
            ChatCompletionJson.WriteUsageChunk(BeginEvent(body, json), envelope, u);
            await EndEventAsync(body, json, ct);
        }

        body.Write("data: [DONE]\n\n"u8);
        await body.FlushAsync(ct);
    }

    private static string Stamp() => " " + Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture);

    private static string Stamps(int tokens) => string.Concat(Enumerable.Range(0, tokens).Select(_ => Stamp()));

    private Task PauseAsync(CancellationToken ct) =>
        TokenInterval > TimeSpan.Zero ? Task.Delay(TokenInterval, ct) : Task.CompletedTask;

    private static Utf8JsonWriter BeginEvent(PipeWriter body, Utf8JsonWriter json)
    {
        body.Write("data: "u8);
        json.Reset(body);
        return json;
    }

    private static async ValueTask EndEventAsync(PipeWriter body, Utf8JsonWriter json, CancellationToken ct)
    {
        json.Flush();
        body.Write("\n\n"u8);
        await body.FlushAsync(ct);
    }

    private static async Task WriteErrorAsync(HttpResponse response, int status, string message, CancellationToken ct)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            ChatCompletionJson.WriteError(json, status, message);
        }

        await response.BodyWriter.FlushAsync(ct);
    }

    private Task HandleModelsAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        ChatCompletionJson.WriteModels(json, [DefaultModel, .. _scripts.Keys.Where(k => k != DefaultModel).Order(StringComparer.Ordinal)], DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        json.Flush();
        return Task.CompletedTask;
    }

    /// <summary>Splits text into streaming chunks at word starts, keeping the spaces: "a b" → "a", " b".</summary>
    private static IEnumerable<string> Words(string text)
    {
        var start = 0;
        for (var i = 1; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]) && !char.IsWhiteSpace(text[i - 1]))
            {
                yield return text[start..i];
                start = i;
            }
        }

        yield return text[start..];
    }

    /// <summary>Cuts a string into at most <paramref name="count"/> pieces, never inside a surrogate pair.</summary>
    private static IEnumerable<string> Pieces(string text, int count)
    {
        var size = Math.Max(1, (text.Length + count - 1) / count);
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(text.Length, start + size);
            if (end < text.Length && char.IsHighSurrogate(text[end - 1]))
            {
                end++;
            }

            yield return text[start..end];
            start = end;
        }
    }
}
