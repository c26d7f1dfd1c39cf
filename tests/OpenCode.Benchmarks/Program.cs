using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OpenCode.Benchmarks;
using OpenCode.Testing;

// The gateway's own cost per turn: the same non-streaming turn through the gateway and straight to the
// fake model (zero latency), side by side in one run. The fake model and the gateway each run in their
// own process so the gateway's CPU and memory can be read on their own.
var options = BenchmarkOptions.Parse(args);
Console.WriteLine($"OpenCode.Orleans turn benchmark — {Environment.ProcessorCount} cores, {options.SequentialTurns} sequential turns, {options.Clients} clients × {options.ConcurrentSeconds}s"
    + (options.Isolate ? ", gateway on CPU 0, load generator and fake model on CPU 1" : ", all processes share the cores"));

var testingDll = typeof(FakeModelServer).Assembly.Location;
var modelPort = LoopbackPort.Next();
await using var model = ChildProcess.StartDotnet(testingDll, ["fake-model", "--port", modelPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
var modelUrl = new Uri($"http://127.0.0.1:{modelPort}/v1/");
await model.WaitForHttpOkAsync(new Uri(modelUrl, "models"), TimeSpan.FromSeconds(30));

await using var gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
{
    ["Logging__LogLevel__Default"] = "Warning",
});
var meter = new ProcessMeter(gateway.ProcessId);
if (options.Isolate)
{
    // Pinned after start-up so each runtime still sizes itself for the machine's cores.
    await CpuPlacement.PinAsync(gateway.ProcessId, "0");
    await CpuPlacement.PinAsync(model.Id, "1");
    await CpuPlacement.PinAsync(Environment.ProcessId, "1");
}

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(60) };
var agent = await CreateAgentAsync(http, gateway.BaseUrl, modelUrl);

var direct = new DirectModelTurn(http, modelUrl);
var throughGateway = new GatewayTurn(http, gateway.BaseUrl, agent);

// Warm both paths until the JIT has settled on optimized code (tiering and dynamic PGO take some
// thousands of calls), and fill connection pools and grain activations.
await RunSequentialAsync(direct.RunAsync, 3000);
await RunSequentialAsync(throughGateway.RunAsync, 3000);

var report = new StringBuilder();
report.AppendLine("| phase | path | turns | turns/s | p50 ms | p99 ms |");
report.AppendLine("|---|---|---:|---:|---:|---:|");

var directSeq = await RunSequentialAsync(direct.RunAsync, options.SequentialTurns);
var sequentialCpuBefore = meter.CpuTime();
var gatewaySeq = await RunSequentialAsync(throughGateway.RunAsync, options.SequentialTurns);
var sequentialCpuPerTurn = (meter.CpuTime() - sequentialCpuBefore).TotalMilliseconds / options.SequentialTurns;
Row("1 client", "direct to model", directSeq);
Row("1 client", "through gateway", gatewaySeq);

var directConc = await RunConcurrentAsync(direct.RunAsync, options.Clients, options.ConcurrentSeconds);
var cpuBefore = meter.CpuTime();
var gatewayConc = await RunConcurrentAsync(throughGateway.RunAsync, options.Clients, options.ConcurrentSeconds);
var cpuPerTurn = (meter.CpuTime() - cpuBefore).TotalMilliseconds / gatewayConc.Latencies.Count;
Row($"{options.Clients} clients", "direct to model", directConc);
Row($"{options.Clients} clients", "through gateway", gatewayConc);
var (rss, peakRss, anonymousRss, fileRss) = meter.ResidentMegabytes();

report.AppendLine();
report.AppendLine("| gateway's own cost | measured |");
report.AppendLine("|---|---:|");
report.AppendLine($"| added p50, 1 client | {gatewaySeq.Latencies.Percentile(50) - directSeq.Latencies.Percentile(50):F3} ms |");
report.AppendLine($"| added p99, 1 client | {gatewaySeq.Latencies.Percentile(99) - directSeq.Latencies.Percentile(99):F3} ms |");
report.AppendLine($"| added p99, {options.Clients} clients | {gatewayConc.Latencies.Percentile(99) - directConc.Latencies.Percentile(99):F3} ms |");
report.AppendLine($"| throughput, {options.Clients} clients | {gatewayConc.Throughput:F0} turns/s |");
report.AppendLine($"| gateway CPU per turn (1 client / {options.Clients} clients) | {sequentialCpuPerTurn:F3} ms / {cpuPerTurn:F3} ms |");
report.AppendLine($"| gateway resident memory (now / peak) | {rss:F0} MB / {peakRss:F0} MB (now: {anonymousRss:F0} MB anonymous, {fileRss:F0} MB mapped files and code) |");
report.AppendLine($"| errors | {directSeq.Errors + gatewaySeq.Errors + directConc.Errors + gatewayConc.Errors} |");

Console.WriteLine(report.ToString());
if (options.ShowGatewayOutput)
{
    Console.WriteLine(gateway.Output);
}
if (options.OutputPath is not null)
{
    await File.WriteAllTextAsync(options.OutputPath, report.ToString());
}

return directSeq.Errors + gatewaySeq.Errors + directConc.Errors + gatewayConc.Errors == 0 ? 0 : 1;

void Row(string phase, string path, PhaseResult result) =>
    report.AppendLine($"| {phase} | {path} | {result.Latencies.Count} | {result.Throughput:F0} | {result.Latencies.Percentile(50):F3} | {result.Latencies.Percentile(99):F3} |");

static async Task<PhaseResult> RunSequentialAsync(Func<Task<TurnResult>> turn, int count)
{
    var latencies = new LatencyRecorder();
    var errors = 0;
    var total = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        var result = await turn();
        errors += result.Ok ? 0 : 1;
        latencies.Add(result.Elapsed);
    }

    return new PhaseResult(latencies, errors, count / total.Elapsed.TotalSeconds);
}

static async Task<PhaseResult> RunConcurrentAsync(Func<Task<TurnResult>> turn, int clients, int seconds)
{
    var latencies = new LatencyRecorder();
    var errors = 0;
    var deadline = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
    {
        while (deadline.Elapsed.TotalSeconds < seconds)
        {
            var result = await turn();
            if (!result.Ok)
            {
                Interlocked.Increment(ref errors);
            }

            latencies.Add(result.Elapsed);
        }
    }));
    return new PhaseResult(latencies, errors, latencies.Count / deadline.Elapsed.TotalSeconds);
}

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
