using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OpenCode.Benchmarks;
using OpenCode.Testing;

// The gateway's own cost per turn: the same non-streaming turn through the gateway and straight to the
// fake model (zero latency), side by side in one run. The fake model and the gateway each run in their
// own process so the gateway's CPU and memory can be read on their own.
// `--mcp` runs the MCP call benchmark instead (McpCallBenchmark), `--stream` the streaming one (StreamBenchmark);
// `--library-relay` is the floor relay both benchmarks measure beside the gateway (LibraryRelayServer), started as a
// process of its own.
if (args.Contains("--mcp"))
{
    return await McpCallBenchmark.RunAsync(McpBenchmarkOptions.Parse(args));
}

if (args.Contains("--library-relay"))
{
    return await LibraryRelayServer.RunAsync(args);
}

if (args.Contains("--stream"))
{
    return await StreamBenchmark.RunAsync(StreamBenchmarkOptions.Parse(args));
}

var options = BenchmarkOptions.Parse(args);
// The other modes, each in a class of its own; without one, the turn benchmark below.
if (args.Contains("--cluster"))
{
    return await ClusterBenchmark.RunAsync(options, args);
}

if (args.Contains("--history"))
{
    return await HistoryBenchmark.RunAsync(options, args);
}

Console.WriteLine($"OpenCode.Orleans turn benchmark — {Environment.ProcessorCount} cores, {options.SequentialTurns} sequential turns, {options.Clients} clients × {options.ConcurrentSeconds}s paced at {options.PacedRate} turns/s and saturated, after {options.WarmupSeconds}s of warm-up"
    + (options.Isolate ? ", gateway on CPU 0, load generator and fake model on CPU 1" : ", all processes share the cores"));

await using var model = await FakeModelProcess.StartAsync();
var modelUrl = model.Url;

await using var gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
{
    ["Logging__LogLevel__Default"] = "Warning",
});
await using var relay = await LibraryRelayProcess.StartAsync(modelUrl);
var meter = new ProcessMeter(gateway.ProcessId);
var relayMeter = new ProcessMeter(relay.ProcessId);
if (options.Isolate)
{
    // Pinned after start-up so each runtime still sizes itself for the machine's cores.
    await CpuPlacement.PinAsync(gateway.ProcessId, "0");
    await CpuPlacement.PinAsync(relay.ProcessId, "0");
    await CpuPlacement.PinAsync(model.ProcessId, "1");
    await CpuPlacement.PinAsync(Environment.ProcessId, "1");
}

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(60) };
var agent = await CreateAgentAsync(http, gateway.BaseUrl, modelUrl);

var direct = new DirectModelTurn(http, modelUrl);
var throughGateway = new GatewayTurn(http, gateway.BaseUrl, agent);
var throughRelay = new LibraryRelayTurn(http, relay.Url);

// Warm the paths until the JIT has settled on optimized code: tiered compilation with dynamic PGO takes
// about 15 s of this load on 2 cores before a turn costs what it will cost for the rest of the process's life
// (measured: p50 1.8 ms over the first 2,000 turns, 0.5 ms after 12,000). Connection pools and grain
// activations fill on the way.
await LoadPhases.SequentialAsync(direct.RunAsync, 3000);
await LoadPhases.WarmUpAsync(throughGateway.RunAsync, options.WarmupSeconds);
await LoadPhases.WarmUpAsync(throughRelay.RunAsync, options.WarmupSeconds);

var report = new StringBuilder();
report.AppendLine("| phase | path | turns | turns/s | p50 ms | p99 ms |");
report.AppendLine("|---|---|---:|---:|---:|---:|");

var directSeq = await LoadPhases.SequentialAsync(direct.RunAsync, options.SequentialTurns);
var sequentialCpuBefore = meter.CpuTime();
var gatewaySeq = await LoadPhases.SequentialAsync(throughGateway.RunAsync, options.SequentialTurns);
var sequentialCpuPerTurn = (meter.CpuTime() - sequentialCpuBefore).TotalMilliseconds / options.SequentialTurns;
var relaySeq = await LoadPhases.SequentialAsync(throughRelay.RunAsync, options.SequentialTurns);
Row("1 client", "direct to model", directSeq);
Row("1 client", "through gateway", gatewaySeq);
Row("1 client", "library relay (floor)", relaySeq);

var pacedPhase = $"{options.Clients} clients, {options.PacedRate} turns/s offered";
await throughGateway.StartConversationsAsync(options.Clients);
var directPaced = await LoadPhases.PacedAsync(direct.RunAsync, options.Clients, options.PacedRate, options.ConcurrentSeconds);
var pacedCpuBefore = meter.CpuTime();
var gatewayPaced = await LoadPhases.PacedAsync(throughGateway.RunAsync, options.Clients, options.PacedRate, options.ConcurrentSeconds);
var pacedCpuPerTurn = (meter.CpuTime() - pacedCpuBefore).TotalMilliseconds / gatewayPaced.Latencies.Count;
var relayPaced = await LoadPhases.PacedAsync(throughRelay.RunAsync, options.Clients, options.PacedRate, options.ConcurrentSeconds);
Row(pacedPhase, "direct to model", directPaced);
Row(pacedPhase, "through gateway", gatewayPaced);
Row(pacedPhase, "library relay (floor)", relayPaced);

var saturatedPhase = $"{options.Clients} clients, as fast as they go";
var directConc = await LoadPhases.ConcurrentAsync(direct.RunAsync, options.Clients, options.ConcurrentSeconds);
var cpuBefore = meter.CpuTime();
var gatewayConc = await LoadPhases.ConcurrentAsync(throughGateway.RunAsync, options.Clients, options.ConcurrentSeconds);
var cpuPerTurn = (meter.CpuTime() - cpuBefore).TotalMilliseconds / gatewayConc.Latencies.Count;
var (rss, peakRss, anonymousRss, fileRss) = meter.ResidentMegabytes();
var relayCpuBefore = relayMeter.CpuTime();
var relayConc = await LoadPhases.ConcurrentAsync(throughRelay.RunAsync, options.Clients, options.ConcurrentSeconds);
var relayCpuPerTurn = (relayMeter.CpuTime() - relayCpuBefore).TotalMilliseconds / relayConc.Latencies.Count;
var (relayRss, _, _, _) = relayMeter.ResidentMegabytes();
Row(saturatedPhase, "direct to model", directConc);
Row(saturatedPhase, "through gateway", gatewayConc);
Row(saturatedPhase, "library relay (floor)", relayConc);

report.AppendLine();
report.AppendLine("| gateway's own cost | measured | library relay (floor) |");
report.AppendLine("|---|---:|---:|");
Added("added p50, 1 client", 50, directSeq, gatewaySeq, relaySeq);
Added("added p99, 1 client", 99, directSeq, gatewaySeq, relaySeq);
Added($"added p99, {pacedPhase}", 99, directPaced, gatewayPaced, relayPaced);
Added($"added p99, {saturatedPhase} (queueing: clients ÷ throughput)", 99, directConc, gatewayConc, relayConc);
report.AppendLine($"| throughput, {options.Clients} clients | {gatewayConc.Throughput:F0} turns/s | {relayConc.Throughput:F0} turns/s |");
report.AppendLine($"| gateway CPU per turn (1 client / {options.PacedRate} turns/s / saturated) | {sequentialCpuPerTurn:F3} ms / {pacedCpuPerTurn:F3} ms / {cpuPerTurn:F3} ms | saturated: {relayCpuPerTurn:F3} ms |");
report.AppendLine($"| gateway resident memory (now / peak) | {rss:F0} MB / {peakRss:F0} MB (now: {anonymousRss:F0} MB anonymous, {fileRss:F0} MB mapped files and code) | {relayRss:F0} MB |");
PhaseResult[] all = [directSeq, gatewaySeq, relaySeq, directPaced, gatewayPaced, relayPaced, directConc, gatewayConc, relayConc];
var errors = all.Sum(phase => phase.Errors);
report.AppendLine($"| errors | {errors} |");

Console.WriteLine(report.ToString());
if (options.ShowGatewayOutput)
{
    Console.WriteLine(gateway.Output);
}
if (options.OutputPath is not null)
{
    await File.WriteAllTextAsync(options.OutputPath, report.ToString());
}

return errors == 0 ? 0 : 1;

void Added(string what, double percentile, PhaseResult direct, PhaseResult gateway, PhaseResult relay) =>
    report.AppendLine($"| {what} | {gateway.Latencies.Percentile(percentile) - direct.Latencies.Percentile(percentile):F3} ms "
        + $"| {relay.Latencies.Percentile(percentile) - direct.Latencies.Percentile(percentile):F3} ms |");

void Row(string phase, string path, PhaseResult result) =>
    report.AppendLine($"| {phase} | {path} | {result.Latencies.Count} | {result.Throughput:F0} | {result.Latencies.Percentile(50):F3} | {result.Latencies.Percentile(99):F3} |");

// The context window fits the instructions and about the last ten messages (each about eight tokens): what the
// baseline request carries too.
static async Task<string> CreateAgentAsync(HttpClient http, Uri gateway, Uri modelUrl)
{
    var response = await http.PostAsJsonAsync(new Uri(gateway, "/agents"), JsonNode.Parse($$"""
        { "id": "bench", "name": "Benchmark", "instructions": "You are a helpful assistant.",
          "model": { "provider": "openai", "name": "fake-model", "endpoint": "{{modelUrl}}", "contextWindow": 350, "max_tokens": 256 } }
        """));
    response.EnsureSuccessStatusCode();
    return "bench";
}
