using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpenCode.Runtime.Tests.Models;

/// <summary>
/// A loopback Kestrel server that speaks just enough of three model protocols for the provider tests:
/// OpenAI <c>POST /v1/chat/completions</c>, Anthropic <c>POST /v1/messages</c> and Ollama <c>POST /api/chat</c>,
/// each streaming or not. The model name picks the behaviour: <c>fail-&lt;status&gt;</c> answers that HTTP status
/// with the protocol's error body, <c>slow</c> answers after 30 s, <c>stream-overloaded</c> (Anthropic) sends an
/// error event mid-stream,
/// <c>slow-stream</c> streams its pieces 400 ms apart, <c>stalled-stream</c> (OpenAI) sends its first piece and then
/// nothing for 30 s; anything else says hello and reports usage.
/// </summary>
public sealed class ModelStubServer : IAsyncLifetime
{
    public const string ProviderErrorText = "stub says no";
    public const int OpenAIPromptTokens = 11, OpenAICompletionTokens = 3;
    public const int AnthropicInputTokens = 12, AnthropicOutputTokens = 4;
    public const int OllamaPromptTokens = 13, OllamaEvalTokens = 5;

    public static readonly TimeSpan SlowStreamGap = TimeSpan.FromMilliseconds(600);
    private const string SlowStreamKey = "slow-stream";

    private WebApplication? _app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:54321</c> (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    public int Port => new Uri(BaseUrl).Port;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();

        app.MapPost("/v1/chat/completions", OpenAIAsync);
        app.MapPost("/v1/messages", AnthropicAsync);
        app.MapPost("/api/chat", OllamaAsync);

        await app.StartAsync();
        _app = app;
        BaseUrl = app.Urls.Single().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }

    /// <summary>The requests that asked for <paramref name="model"/> (tests use distinct model names).</summary>
    public IReadOnlyList<RecordedRequest> RequestsFor(string model) =>
        Requests.Where(r => r.Model == model).ToList();

    private async Task OpenAIAsync(HttpContext context)
    {
        var (body, model) = await RecordAsync(context);
        if (await FailAsync(context, model, status => new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = ProviderErrorText, ["type"] = "invalid_request_error", ["code"] = null },
        }))
            return;

        const string id = "chatcmpl-stub";
        if (body["stream"]?.GetValue<bool>() == true)
        {
            await StartSseAsync(context);
            static JsonObject Chunk(string model, JsonObject delta, string? finish) => new()
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = 1_700_000_000,
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
            };
            await SseAsync(context, null, Chunk(model, new JsonObject { ["role"] = "assistant", ["content"] = "Hello" }, null));
            if (model == "stalled-stream")
            {
                await StallAsync(context);
                return;
            }

            await SseAsync(context, null, Chunk(model, new JsonObject { ["content"] = " world" }, null));
            await SseAsync(context, null, Chunk(model, new JsonObject(), "stop"));
            await SseAsync(context, null, new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = 1_700_000_000,
                ["model"] = model,
                ["choices"] = new JsonArray(),
                ["usage"] = OpenAIUsage(),
            });
            await context.Response.WriteAsync("data: [DONE]\n\n");
            return;
        }

        await JsonAsync(context, new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "Hello from openai" },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = OpenAIUsage(),
        });
    }

    private static JsonObject OpenAIUsage() => new()
    {
        ["prompt_tokens"] = OpenAIPromptTokens,
        ["completion_tokens"] = OpenAICompletionTokens,
        ["total_tokens"] = OpenAIPromptTokens + OpenAICompletionTokens,
    };

    private async Task AnthropicAsync(HttpContext context)
    {
        var (body, model) = await RecordAsync(context);
        if (await FailAsync(context, model, status => new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = status >= 500 ? "api_error" : "invalid_request_error", ["message"] = ProviderErrorText },
        }))
            return;

        const string id = "msg_stub";
        if (body["stream"]?.GetValue<bool>() == true)
        {
            await StartSseAsync(context);
            await SseAsync(context, "message_start", new JsonObject
            {
                ["type"] = "message_start",
                ["message"] = new JsonObject
                {
                    ["id"] = id,
                    ["type"] = "message",
                    ["role"] = "assistant",
                    ["model"] = model,
                    ["content"] = new JsonArray(),
                    ["stop_reason"] = null,
                    ["stop_sequence"] = null,
                    ["usage"] = new JsonObject { ["input_tokens"] = AnthropicInputTokens, ["output_tokens"] = 1 },
                },
            });
            await SseAsync(context, "content_block_start", new JsonObject
            {
                ["type"] = "content_block_start",
                ["index"] = 0,
                ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" },
            });
            await SseAsync(context, "content_block_delta", new JsonObject
            {
                ["type"] = "content_block_delta",
                ["index"] = 0,
                ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = "Hello" },
            });
            if (model == "stream-overloaded")
            {
                await SseAsync(context, "error", new JsonObject
                {
                    ["type"] = "error",
                    ["error"] = new JsonObject { ["type"] = "overloaded_error", ["message"] = "Overloaded" },
                });
                return;
            }
            await SseAsync(context, "content_block_delta", new JsonObject
            {
                ["type"] = "content_block_delta",
                ["index"] = 0,
                ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = " world" },
            });
            await SseAsync(context, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 });
            await SseAsync(context, "message_delta", new JsonObject
            {
                ["type"] = "message_delta",
                ["delta"] = new JsonObject { ["stop_reason"] = "end_turn", ["stop_sequence"] = null },
                ["usage"] = new JsonObject { ["output_tokens"] = AnthropicOutputTokens },
            });
            await SseAsync(context, "message_stop", new JsonObject { ["type"] = "message_stop" });
            return;
        }

        await JsonAsync(context, new JsonObject
        {
            ["id"] = id,
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = model,
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Hello from anthropic" }),
            ["stop_reason"] = "end_turn",
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject { ["input_tokens"] = AnthropicInputTokens, ["output_tokens"] = AnthropicOutputTokens },
        });
    }

    private async Task OllamaAsync(HttpContext context)
    {
        var (body, model) = await RecordAsync(context);
        if (await FailAsync(context, model, _ => new JsonObject { ["error"] = ProviderErrorText }))
            return;

        JsonObject Line(string content, bool done)
        {
            var line = new JsonObject
            {
                ["model"] = model,
                ["created_at"] = "2025-01-01T00:00:00Z",
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["done"] = done,
            };
            if (done)
            {
                line["done_reason"] = "stop";
                line["total_duration"] = 1000;
                line["load_duration"] = 10;
                line["prompt_eval_count"] = OllamaPromptTokens;
                line["prompt_eval_duration"] = 100;
                line["eval_count"] = OllamaEvalTokens;
                line["eval_duration"] = 100;
            }
            return line;
        }

        // Ollama streams by default: only an explicit "stream": false gets a single object.
        if (body["stream"]?.GetValue<bool>() != false)
        {
            context.Response.ContentType = "application/x-ndjson";
            foreach (var line in new[] { Line("Hello", false), Line(" world", false), Line("", true) })
            {
                await PaceAsync(context);
                await context.Response.WriteAsync(line.ToJsonString() + "\n");
                await context.Response.Body.FlushAsync();
            }
            return;
        }

        await JsonAsync(context, Line("Hello from ollama", true));
    }

    private async Task<(JsonObject Body, string Model)> RecordAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var body = JsonNode.Parse(text)?.AsObject() ?? new JsonObject();
        var model = body["model"]?.GetValue<string>() ?? "";
        if (model == "slow-stream")
            context.Items[SlowStreamKey] = true;
        Requests.Enqueue(new RecordedRequest(
            context.Request.Path,
            model,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body));
        return (body, model);
    }

    private static async Task<bool> FailAsync(HttpContext context, string model, Func<int, JsonObject> errorBody)
    {
        if (model == "slow")
        {
            await StallAsync(context);
            return true;
        }
        if (!model.StartsWith("fail-", StringComparison.Ordinal) || !int.TryParse(model["fail-".Length..], out var status))
            return false;
        context.Response.StatusCode = status;
        await JsonAsync(context, errorBody(status));
        return true;
    }

    /// <summary>Sends nothing for 30 s, or until the client gives up.</summary>
    private static async Task StallAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Model <c>slow-stream</c>: each streamed piece comes <see cref="SlowStreamGap"/> after the previous one.</summary>
    private static Task PaceAsync(HttpContext context) =>
        context.Items.ContainsKey(SlowStreamKey) ? Task.Delay(SlowStreamGap, context.RequestAborted) : Task.CompletedTask;

    private static Task JsonAsync(HttpContext context, JsonObject json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json.ToJsonString());
    }

    private static Task StartSseAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        return context.Response.Body.FlushAsync();
    }

    private static async Task SseAsync(HttpContext context, string? eventName, JsonObject data)
    {
        await PaceAsync(context);
        var frame = (eventName is null ? "" : $"event: {eventName}\n") + $"data: {data.ToJsonString()}\n\n";
        await context.Response.WriteAsync(frame);
        await context.Response.Body.FlushAsync();
    }
}

public sealed record RecordedRequest(string Path, string Model, IReadOnlyDictionary<string, string> Headers, JsonObject Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
