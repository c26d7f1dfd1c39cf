using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OpenCode.Integration.Tests.Cluster;

/// <summary>
/// Turns run one after another on each conversation, through the given gateways in turn, until stopped; every
/// answer is recorded, so the histories can be checked afterwards: what was acknowledged (200) is there exactly
/// once with its reply, and nothing is there twice.
/// </summary>
internal sealed class TurnLoad
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _acknowledged = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _unanswered = new();
    private readonly ConcurrentQueue<(DateTime At, int Status)> _answers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _drivers;

    private TurnLoad(IReadOnlyList<string> conversations, IReadOnlyList<HttpClient> clients)
    {
        Conversations = conversations;
        _drivers = [.. conversations.Select((id, i) => Task.Run(() => DriveAsync(id, i, clients)))];
    }

    public IReadOnlyList<string> Conversations { get; }

    public int Acknowledged => _acknowledged.Values.Sum(q => q.Count);

    public int Unanswered => _unanswered.Values.Sum(q => q.Count);

    public static TurnLoad Start(IReadOnlyList<string> conversations, IReadOnlyList<HttpClient> clients) => new(conversations, clients);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_drivers);
    }

    /// <summary>The answers given between <paramref name="from"/> and <paramref name="to"/>, by HTTP status (0: no answer).</summary>
    public Dictionary<int, int> AnswersBetween(DateTime from, DateTime to) =>
        _answers.Where(a => a.At >= from && a.At <= to).GroupBy(a => a.Status).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Reads every history through <paramref name="client"/>: acknowledged turns missing (lost), messages there twice (duplicated), and what became of the turns with no answer.</summary>
    public async Task<HistoryCheck> CheckHistoriesAsync(HttpClient client)
    {
        var check = new HistoryCheck();
        foreach (var id in Conversations)
        {
            var history = await HistoryAsync(client, id);
            var users = history.Where(m => m.Role == "user").Select(m => m.Content).ToList();
            var replies = history.Where(m => m.Role == "assistant").Select(m => m.Content).ToList();
            check.Duplicated += users.Count - users.Distinct().Count() + replies.Count - replies.Distinct().Count();
            check.Lost += Queue(_acknowledged, id).Count(message => ReplyFollows(history, message) != true);
            foreach (var message in Queue(_unanswered, id))
            {
                switch (ReplyFollows(history, message))
                {
                    case true: check.CompletedAfterAll++; break;
                    case false: check.Failed++; break;
                    default: check.NeverRecorded++; break;
                }
            }
        }

        return check;
    }

    private static ConcurrentQueue<string> Queue(ConcurrentDictionary<string, ConcurrentQueue<string>> byConversation, string id) =>
        byConversation.GetOrAdd(id, _ => new ConcurrentQueue<string>());

    /// <summary>Null when <paramref name="message"/> is not in the history; else whether its echo follows it.</summary>
    private static bool? ReplyFollows(List<(string Role, string? Content)> history, string message)
    {
        var at = history.FindIndex(m => m.Role == "user" && m.Content == message);
        return at < 0 ? null : at + 1 < history.Count && history[at + 1].Content == "echo: " + message;
    }

    private async Task DriveAsync(string id, int offset, IReadOnlyList<HttpClient> clients)
    {
        for (var k = 0; !_stop.IsCancellationRequested; k++)
        {
            var message = $"{id} turn {k}";
            var status = await SendAsync(clients[(offset + k) % clients.Count], id, message);
            _answers.Enqueue((DateTime.UtcNow, status));
            Queue(status == (int)HttpStatusCode.OK ? _acknowledged : _unanswered, id).Enqueue(message);
            if (status != (int)HttpStatusCode.OK)
            {
                // Not a tight loop against a gateway that is down or a store that is away.
                await Task.Delay(100);
            }
        }
    }

    private static async Task<int> SendAsync(HttpClient client, string id, string message)
    {
        try
        {
            using var response = await client.PostAsJsonAsync($"/conversations/{id}/messages", new { message });
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    private static async Task<List<(string Role, string? Content)>> HistoryAsync(HttpClient client, string id)
    {
        var messages = new List<(string Role, string? Content)>();
        string? before = null;
        do
        {
            var page = (await client.GetFromJsonAsync<JsonObject>($"/conversations/{id}/messages?limit=200" + (before is null ? "" : $"&before={before}")))!;
            messages.InsertRange(0, page["messages"]!.AsArray().Select(m => ((string)m!["role"]!, (string?)m["content"])));
            before = (string?)page["next"];
        }
        while (before is not null);

        return messages;
    }

    public sealed class HistoryCheck
    {
        public int Lost { get; set; }

        public int Duplicated { get; set; }

        public int CompletedAfterAll { get; set; }

        public int Failed { get; set; }

        public int NeverRecorded { get; set; }

        public override string ToString() =>
            $"lost {Lost}, duplicated {Duplicated}; unanswered turns: completed anyway {CompletedAfterAll}, failed {Failed}, never recorded {NeverRecorded}";
    }
}
