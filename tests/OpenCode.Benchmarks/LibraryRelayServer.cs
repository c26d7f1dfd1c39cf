using System.ClientModel;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;

namespace OpenCode.Benchmarks;

/// <summary>
/// <c>--library-relay --port N --model URL</c>: the floor under the gateway's turn. Bare ASP.NET Core endpoints that
/// relay one chat completion from the model to their caller, as one JSON answer or streamed as server-sent events,
/// through the libraries the gateway must use for it (Kestrel, the official OpenAI SDK behind
/// Microsoft.Extensions.AI) and nothing else: no grains, no storage, no event log. Their added latency is what those
/// libraries cost on this machine before the gateway does any work of its own.
/// </summary>
public static class LibraryRelayServer
{
    /// <summary>The relay's blocking endpoint: <c>POST</c> a <see cref="RelayRequest"/>, read a <see cref="RelayDelta"/> with the whole answer.</summary>
    public const string TurnPath = "/turn";

    /// <summary>The relay's streaming endpoint: <c>POST</c> a <see cref="RelayRequest"/>, read <see cref="RelayDelta"/> events.</summary>
    public const string StreamPath = "/stream";

    // What the gateway's benchmark agent asks for.
    private static readonly ChatOptions Options = new() { MaxOutputTokens = 256 };

    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(Argument(args, "--port"), CultureInfo.InvariantCulture);
        var model = new Uri(Argument(args, "--model"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();

        // One client for every request, as the gateway caches one per model endpoint.
        var chat = new ChatClient("fake-model", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = model }).AsIChatClient();
        app.MapGet("/ready", () => Results.Ok());
        app.MapPost(TurnPath, async (RelayRequest request, CancellationToken ct) =>
            new RelayDelta((await chat.GetResponseAsync(DirectModelTurn.Messages(request.Message), Options, ct)).Text));
        app.MapPost(StreamPath, (RelayRequest request, CancellationToken ct) => TypedResults.ServerSentEvents(RelayAsync(chat, request.Message, ct)));
        await app.RunAsync();
        return 0;
    }

    private static async IAsyncEnumerable<RelayDelta> RelayAsync(IChatClient chat, string message, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var update in chat.GetStreamingResponseAsync(DirectModelTurn.Messages(message), Options, ct))
        {
            if (update.Text is { Length: > 0 } text)
            {
                yield return new RelayDelta(text);
            }
        }
    }

    private static string Argument(string[] args, string name) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? throw new ArgumentException($"{name} is required.");
}

/// <summary>The body of a relay request.</summary>
public sealed record RelayRequest(string Message);

/// <summary>A relayed answer or piece of one, as the gateway's <c>message.delta</c> carries it: <c>{"text": ...}</c>.</summary>
public sealed record RelayDelta(string Text);
