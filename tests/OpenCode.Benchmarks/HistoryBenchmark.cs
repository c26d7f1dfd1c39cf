using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Benchmarks;

/// <summary>
/// <c>--history</c>: what history length costs in the embedded profile. Conversations are started with five turns
/// through a gateway, then two are lengthened by <see cref="HistorySeeder"/> (to 100,000 and 1,000,000 messages)
/// while it is stopped. Activation: the gateway is restarted on the same data directory (<c>--rounds</c> times),
/// warmed on another conversation, and the first call to the 10-message and the 1,000,000-message conversation is
/// timed, in alternating order. Turn latency: turns alternate between a 10-message and a 100,000-message
/// conversation, next to the direct-to-model baseline of the same run.
/// </summary>
public static class HistoryBenchmark
{
    private const long LongHistory = 100_000;
    private const long HugeHistory = 1_000_000;

    /// <summary><paramref name="args"/> may add <c>--rounds N</c> (gateway restarts for the activation figures, default 5).</summary>
    public static async Task<int> RunAsync(BenchmarkOptions options, string[] args)
    {
        var rounds = args.SkipWhile(a => a != "--rounds").Skip(1).FirstOrDefault() is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 5;
        Console.WriteLine($"OpenCode.Orleans history benchmark — {Environment.ProcessorCount} cores, embedded profile, {rounds} restarts, "
            + $"{options.WarmupSeconds}s warm-up, {options.SequentialTurns} turns per conversation");
        await using var model = await FakeModelProcess.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        var dataDirectory = Directory.CreateTempSubdirectory("opencode-history-bench-").FullName;
        var environment = new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Warning" };

        string ten, warm, shortOne, longOne, huge;
        var spares = new List<string>();
        await using (var gateway = await GatewayProcess.StartAsync(dataDirectory, environment))
        {
            await BenchmarkAgent.CreateAsync(http, gateway.BaseUrl, model.Url);
            ten = await StartAsync(http, gateway.BaseUrl);
            warm = await StartAsync(http, gateway.BaseUrl);
            shortOne = await StartAsync(http, gateway.BaseUrl);
            longOne = await StartAsync(http, gateway.BaseUrl);
            huge = await StartAsync(http, gateway.BaseUrl);
            for (var i = 0; i < 3; i++)
            {
                spares.Add(await StartAsync(http, gateway.BaseUrl));
            }

            // Stopped as in production (SIGTERM: grains deactivate, storage closes) before another silo opens its data.
            await gateway.StopAsync(TimeSpan.FromSeconds(30));
        }

        var seeding = Stopwatch.StartNew();
        await using (var seeder = await HistorySeeder.StartAsync(dataDirectory))
        {
            await seeder.ExtendAsync(longOne, LongHistory);
            await seeder.ExtendAsync(huge, HugeHistory);
        }

        Console.WriteLine($"Seeded {LongHistory + HugeHistory:N0} messages in {seeding.Elapsed.TotalSeconds:F0}s; database {DatabaseMegabytes(dataDirectory):F0} MB");

        // First calls after a restart: GET /conversations/{id} activates the conversation (its head only); the
        // newest page of messages after it reads what a client opening the conversation reads.
        var targets = new[] { (Id: ten, Messages: 10L), (Id: longOne, Messages: LongHistory), (Id: huge, Messages: HugeHistory) };
        var activation = targets.ToDictionary(t => t.Id, _ => new LatencyRecorder());
        var firstPage = targets.ToDictionary(t => t.Id, _ => new LatencyRecorder());
        for (var round = 0; round < rounds; round++)
        {
            await using var gateway = await GatewayProcess.StartAsync(dataDirectory, environment);
            var gatewayTurn = new FixedConversationTurn(http, gateway.BaseUrl, warm);
            await LoadPhases.WarmUpAsync(gatewayTurn.RunAsync, 2);
            // The first activations after a start pay for JIT and a new read connection (measured: 17-39 ms for
            // whichever conversation came first, whatever its length): spare conversations take that cost.
            foreach (var spare in spares)
            {
                await TimedGetAsync(http, gateway.BaseUrl, $"/conversations/{spare}");
                await TimedGetAsync(http, gateway.BaseUrl, $"/conversations/{spare}/messages?limit=50");
            }

            var line = new StringBuilder($"round {round + 1}:");
            // Rotated each round, so being first after the warm-up favours none.
            foreach (var (id, messages) in targets.Skip(round % targets.Length).Concat(targets.Take(round % targets.Length)))
            {
                var activated = await TimedGetAsync(http, gateway.BaseUrl, $"/conversations/{id}");
                var paged = await TimedGetAsync(http, gateway.BaseUrl, $"/conversations/{id}/messages?limit=50");
                activation[id].Add(activated);
                firstPage[id].Add(paged);
                line.Append(CultureInfo.InvariantCulture, $" {messages:N0} messages {activated.TotalMilliseconds:F2} ms + {paged.TotalMilliseconds:F2} ms;");
            }

            Console.WriteLine(line.ToString());
        }

        var activateTen = activation[ten];
        var activateHuge = activation[huge];
        var firstPageTen = firstPage[ten];
        var firstPageHuge = firstPage[huge];

        PhaseResult directTurns, shortTurns, longTurns;
        await using (var gateway = await GatewayProcess.StartAsync(dataDirectory, environment))
        {
            var direct = new DirectModelTurn(http, model.Url);
            var warmTurn = new FixedConversationTurn(http, gateway.BaseUrl, warm);
            var shortTurn = new FixedConversationTurn(http, gateway.BaseUrl, shortOne);
            var longTurn = new FixedConversationTurn(http, gateway.BaseUrl, longOne);
            await LoadPhases.SequentialAsync(direct.RunAsync, 3000);
            await LoadPhases.WarmUpAsync(warmTurn.RunAsync, options.WarmupSeconds);
            await longTurn.RunAsync();
            await shortTurn.RunAsync();

            // Interleaved, so a disturbance on this shared machine hits all three alike.
            var results = await LoadPhases.InterleavedAsync([direct.RunAsync, shortTurn.RunAsync, longTurn.RunAsync], options.SequentialTurns);
            (directTurns, shortTurns, longTurns) = (results[0], results[1], results[2]);
        }

        var report = new StringBuilder();
        report.AppendLine("| measurement | 10 messages | long history | ratio |");
        report.AppendLine("|---|---:|---:|---:|");
        report.AppendLine($"| turn p50, 10 vs {LongHistory:N0} messages (direct to model: {directTurns.Latencies.Percentile(50):F3} ms) "
            + $"| {shortTurns.Latencies.Percentile(50):F3} ms | {longTurns.Latencies.Percentile(50):F3} ms | {Ratio(longTurns.Latencies, shortTurns.Latencies, 50):F2} |");
        report.AppendLine($"| turn p99, 10 vs {LongHistory:N0} messages (direct to model: {directTurns.Latencies.Percentile(99):F3} ms) "
            + $"| {shortTurns.Latencies.Percentile(99):F3} ms | {longTurns.Latencies.Percentile(99):F3} ms | {Ratio(longTurns.Latencies, shortTurns.Latencies, 99):F2} |");
        report.AppendLine($"| activation (first GET /conversations/{{id}} after a restart), median of {rounds}, 10 vs {HugeHistory:N0} messages "
            + $"| {activateTen.Percentile(50):F3} ms | {activateHuge.Percentile(50):F3} ms | {Ratio(activateHuge, activateTen, 50):F2} |");
        report.AppendLine($"| activation, median of {rounds}, 10 vs {LongHistory:N0} messages "
            + $"| {activateTen.Percentile(50):F3} ms | {activation[longOne].Percentile(50):F3} ms | {Ratio(activation[longOne], activateTen, 50):F2} |");
        // The 10-message conversation holds them all in its head; the long one reads one history page too.
        report.AppendLine($"| newest 50 messages right after activation (head + 1 page vs head only), median of {rounds}, 10 vs {HugeHistory:N0} messages "
            + $"| {firstPageTen.Percentile(50):F3} ms | {firstPageHuge.Percentile(50):F3} ms | {Ratio(firstPageHuge, firstPageTen, 50):F2} |");
        var errorCount = directTurns.Errors + shortTurns.Errors + longTurns.Errors;
        report.AppendLine($"| errors | {errorCount} | | |");
        Console.WriteLine(report.ToString());
        if (options.OutputPath is not null)
        {
            await File.WriteAllTextAsync(options.OutputPath, report.ToString());
        }

        Directory.Delete(dataDirectory, recursive: true);
        return errorCount == 0 ? 0 : 1;
    }

    private static double Ratio(LatencyRecorder numerator, LatencyRecorder denominator, double percentile) =>
        numerator.Percentile(percentile) / denominator.Percentile(percentile);

    /// <summary>A conversation with five turns (ten messages).</summary>
    private static async Task<string> StartAsync(HttpClient http, Uri gateway)
    {
        using var created = await http.PostAsJsonAsync(new Uri(gateway, "/conversations"), new { agentId = BenchmarkAgent.Id });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var turn = new FixedConversationTurn(http, gateway, id);
        for (var i = 0; i < 5; i++)
        {
            if (!(await turn.RunAsync()).Ok)
            {
                throw new InvalidOperationException($"A turn of {id} failed.");
            }
        }

        return id;
    }

    private static async Task<TimeSpan> TimedGetAsync(HttpClient http, Uri gateway, string path)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(new Uri(gateway, path));
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        response.EnsureSuccessStatusCode();
        return elapsed;
    }

    private static double DatabaseMegabytes(string dataDirectory) =>
        Directory.EnumerateFiles(dataDirectory, "opencode.db*").Sum(f => new FileInfo(f).Length) / 1024.0 / 1024.0;
}
