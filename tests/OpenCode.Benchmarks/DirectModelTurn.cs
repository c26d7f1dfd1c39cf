using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.AI;

namespace OpenCode.Benchmarks;

/// <summary>
/// The baseline: one chat-completions request straight to the fake model, as a client that keeps its own
/// history would send it: instructions, the last exchanges and the new message (about what the gateway sends).
/// </summary>
public sealed class DirectModelTurn(HttpClient http, Uri modelUrl)
{
    public const int HistoryMessages = 10;

    private const string Instructions = "You are a helpful assistant.";

    private static readonly string History = string.Concat(Enumerable.Range(0, HistoryMessages / 2).Select(i =>
        $$""",{"role":"user","content":"message {{i}}"},{"role":"assistant","content":"echo: message {{i}}"}"""));

    private readonly Uri _completions = new(modelUrl, "chat/completions");
    private int _n;

    /// <summary>The chat-completions body of one turn: instructions, <see cref="HistoryMessages"/> earlier messages and <paramref name="message"/>.</summary>
    public static string RequestBody(string message, bool stream) =>
        $$"""{"model":"fake-model","max_tokens":256,{{(stream ? "\"stream\":true," : "")}}"messages":[{"role":"system","content":"{{Instructions}}"}{{History}},{"role":"user","content":"{{message}}"}]}""";

    /// <summary>The messages of <see cref="RequestBody"/>, for a client that sends them through Microsoft.Extensions.AI.</summary>
    public static List<ChatMessage> Messages(string message) =>
    [
        new(ChatRole.System, Instructions),
        .. Enumerable.Range(0, HistoryMessages / 2).SelectMany(i => new ChatMessage[] { new(ChatRole.User, $"message {i}"), new(ChatRole.Assistant, $"echo: message {i}") }),
        new(ChatRole.User, message),
    ];

    public async Task<TurnResult> RunAsync()
    {
        using var content = new StringContent(RequestBody($"message {Interlocked.Increment(ref _n)}", stream: false), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var response = await http.PostAsync(_completions, content);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        return new TurnResult(response.IsSuccessStatusCode, elapsed);
    }
}
