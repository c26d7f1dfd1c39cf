using System.Globalization;
using System.Text;
using OpenCode.Testing;

namespace OpenCode.Benchmarks;

/// <summary>
/// <c>--stream</c>: what the gateway adds to a streamed turn, over SSE and over WebSocket, next to the same stream
/// straight from the fake model in the same run, and what the libraries alone add (<see cref="LibraryRelayServer"/>).
/// The fake model (its own process) sends each token as its send timestamp, so every token's delivery latency is
/// exact on every path; the time to the first token is timed from
/// sending the request. One stream at a time (the paths taking turns, so a disturbance hits all alike), then
/// <see cref="StreamBenchmarkOptions.Streams"/> concurrent streams per path.
/// </summary>
public static class StreamBenchmark
{
    // Milliseconds the gateway may add at p99 with 100 streams (issue 5).
    private const double FirstTokenTarget = 2;
    private const double RelayTarget = 1;

    public static async Task<int> RunAsync(StreamBenchmarkOptions options)
    {
        Console.WriteLine($"OpenCode.Orleans streaming benchmark — {Environment.ProcessorCount} cores, {options.Tokens} tokens per turn every {options.TokenIntervalMilliseconds} ms, "
            + $"{options.SequentialTurns} turns per path one at a time, {options.Streams} streams × {options.Seconds}s per path, {options.WarmupSeconds}s warm-up per path"
            + (options.Isolate ? ", gateway on CPU 0, load generator and fake model on CPU 1" : ", all processes share the cores") + $"; load average {ProcessMeter.LoadAverage()}");
        await using var model = await FakeModelProcess.StartAsync(
            "--token-interval-ms", options.TokenIntervalMilliseconds.ToString(CultureInfo.InvariantCulture),
            "--stamped-tokens", options.Tokens.ToString(CultureInfo.InvariantCulture));
        await using var gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Warning" });
        await using var relay = await LibraryRelayProcess.StartAsync(model.Url);
        var gatewayMeter = new ProcessMeter(gateway.ProcessId);
        var relayMeter = new ProcessMeter(relay.ProcessId);
        if (options.Isolate)
        {
            // Pinned after start-up so each runtime still sizes itself for the machine's cores.
            await CpuPlacement.PinAsync(gateway.ProcessId, "0");
            await CpuPlacement.PinAsync(relay.ProcessId, "0");
            await CpuPlacement.PinAsync(model.ProcessId, "1");
            await CpuPlacement.PinAsync(Environment.ProcessId, "1");
        }

        // Every stream holds an HTTP/1.1 connection of its own for its whole length.
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Streams * 2 }) { Timeout = TimeSpan.FromSeconds(60) };
        await BenchmarkAgent.CreateAsync(http, gateway.BaseUrl, model.Url);

        var direct = new DirectModelStream(http, model.Url, options.Tokens);
        var sse = new GatewaySseStream(http, gateway.BaseUrl, BenchmarkAgent.Id, options.Tokens);
        var webSocket = new GatewayWebSocketStream(http, gateway.BaseUrl, BenchmarkAgent.Id, options.Tokens);
        var floor = new LibraryRelayStream(http, relay.Url, options.Tokens);
        (string Name, StreamedTurn Turn)[] paths = [("direct from model", direct), ("gateway SSE", sse), ("gateway WebSocket", webSocket), ("library relay (floor)", floor)];

        // Also opens each gateway path's conversations and sockets for the many-streams phase.
        foreach (var (_, turn) in paths)
        {
            await LoadPhases.ConcurrentAsync(turn.RunAsync, options.Streams, options.WarmupSeconds);
        }

        var report = new StringBuilder();
        report.AppendLine("| phase | path | turns | first token p50 ms | first token p99 ms | tokens | token p50 ms | token p99 ms | errors |");
        report.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        var errors = 0;

        foreach (var (_, turn) in paths)
        {
            turn.StartPhase();
        }

        var single = await LoadPhases.InterleavedAsync([.. paths.Select(p => (Func<Task<TurnResult>>)p.Turn.RunAsync)], options.SequentialTurns);
        var singleTokens = paths.Select(p => p.Turn.TokenLatencies).ToArray();
        for (var i = 0; i < paths.Length; i++)
        {
            Row("1 stream", paths[i].Name, single[i], singleTokens[i]);
        }

        var many = new PhaseResult[paths.Length];
        var manyTokens = new LatencyRecorder[paths.Length];
        var cpuPerToken = new double[paths.Length];
        for (var i = 0; i < paths.Length; i++)
        {
            paths[i].Turn.StartPhase();
            var meter = paths[i].Turn == floor ? relayMeter : gatewayMeter;
            var cpuBefore = meter.CpuTime();
            many[i] = await LoadPhases.ConcurrentAsync(paths[i].Turn.RunAsync, options.Streams, options.Seconds);
            manyTokens[i] = paths[i].Turn.TokenLatencies;
            cpuPerToken[i] = (meter.CpuTime() - cpuBefore).TotalMicroseconds / manyTokens[i].Count;
            Row($"{options.Streams} streams", paths[i].Name, many[i], manyTokens[i]);
        }

        var (rss, peakRss, _, _) = gatewayMeter.ResidentMegabytes();
        report.AppendLine();
        report.AppendLine($"| added (path minus direct) | gateway SSE p50 | gateway SSE p99 | gateway WebSocket p50 | gateway WebSocket p99 | library relay p50 | library relay p99 | target (gateway p99 at {options.Streams} streams) |");
        report.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        Added("time to first token, 1 stream", single, singleTokens, firstToken: true, target: "");
        Added($"time to first token, {options.Streams} streams", many, manyTokens, firstToken: true, target: $"≤ {FirstTokenTarget} ms");
        Added("per-token relay, 1 stream", single, singleTokens, firstToken: false, target: "");
        Added($"per-token relay, {options.Streams} streams", many, manyTokens, firstToken: false, target: $"≤ {RelayTarget} ms");
        report.AppendLine();
        report.AppendLine($"Gateway CPU per token with {options.Streams} streams: {cpuPerToken[1]:F0} µs (SSE), {cpuPerToken[2]:F0} µs (WebSocket); "
            + $"library relay: {cpuPerToken[3]:F0} µs; gateway resident memory {rss:F0} MB (peak {peakRss:F0} MB); errors {errors}; load average {ProcessMeter.LoadAverage()}.");

        Console.WriteLine(report.ToString());
        if (options.OutputPath is not null)
        {
            await File.WriteAllTextAsync(options.OutputPath, report.ToString());
        }

        return errors == 0 ? 0 : 1;

        void Row(string phase, string path, PhaseResult turns, LatencyRecorder tokens)
        {
            errors += turns.Errors;
            report.AppendLine($"| {phase} | {path} | {turns.Latencies.Count} | {turns.Latencies.Percentile(50):F3} | {turns.Latencies.Percentile(99):F3} "
                + $"| {tokens.Count} | {tokens.Percentile(50):F3} | {tokens.Percentile(99):F3} | {turns.Errors} |");
        }

        // Index 0 is the direct path, 1 SSE, 2 WebSocket, 3 the library relay.
        void Added(string what, PhaseResult[] turns, LatencyRecorder[] tokens, bool firstToken, string target)
        {
            double Figure(int path, double percentile) =>
                firstToken ? turns[path].Latencies.Percentile(percentile) : tokens[path].Percentile(percentile);
            var added = string.Concat(Enumerable.Range(1, paths.Length - 1).Select(path =>
                $"| {Figure(path, 50) - Figure(0, 50):F3} ms | {Figure(path, 99) - Figure(0, 99):F3} ms "));
            report.AppendLine($"| {what} {added}| {target} |");
        }
    }
}
