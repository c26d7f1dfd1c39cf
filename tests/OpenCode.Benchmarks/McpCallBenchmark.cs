using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenCode.Abstractions;
using OpenCode.Runtime.Mcp;
using OpenCode.Testing;

namespace OpenCode.Benchmarks;

/// <summary>
/// Many callers calling one tool of the test MCP server (Streamable HTTP, its own process), side by side in one run:
/// through the path a conversation's turn takes (<see cref="IMcpConnectionGrain"/> on the caller's silo, one session
/// shared by every caller) and straight through one SDK <see cref="McpClient"/> shared the same way. The silo runs in
/// this process, so its CPU per call is this process's.
/// </summary>
public static class McpCallBenchmark
{
    private const string Message = "ping";
    private static readonly string ArgumentsJson = $$"""{"message":"{{Message}}"}""";
    private static readonly Dictionary<string, object?> Arguments = new() { ["message"] = Message };

    public static async Task<int> RunAsync(McpBenchmarkOptions options)
    {
        Console.WriteLine($"OpenCode.Orleans MCP call benchmark — {Environment.ProcessorCount} cores, tool 'echo' of the test MCP server over Streamable HTTP, "
            + $"{options.SequentialCalls} sequential calls, {options.Callers} callers × {options.Seconds}s, after {options.WarmupSeconds}s of warm-up per path");

        var port = LoopbackPort.Next();
        await using var server = ChildProcess.StartDotnet(typeof(TestTools).Assembly.Location, ["mcp-http", "--port", port.ToString(CultureInfo.InvariantCulture)]);
        await server.WaitForOutputAsync("WebSocket: ws://", TimeSpan.FromSeconds(60)); // its last start-up line
        var url = new Uri($"http://127.0.0.1:{port}/mcp");

        var silo = await StartSiloAsync();
        try
        {
            return await MeasureAsync(options, silo, url);
        }
        finally
        {
            await silo.StopAsync();
            silo.Dispose();
        }
    }

    private static async Task<int> MeasureAsync(McpBenchmarkOptions options, IHost silo, Uri url)
    {
        var spec = McpServerSpec.Http("bench", url.ToString());
        var grain = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IMcpConnectionGrain>(spec.Key);
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = url, Name = "bench" }));
        var self = new ProcessMeter(Environment.ProcessId);

        async Task<TurnResult> Direct()
        {
            var started = Stopwatch.GetTimestamp();
            var result = await client.CallToolAsync("echo", Arguments);
            var elapsed = Stopwatch.GetElapsedTime(started);
            return new TurnResult(result.IsError != true && result.Content is [TextContentBlock { Text: Message }], elapsed);
        }

        async Task<TurnResult> ThroughGrain()
        {
            var started = Stopwatch.GetTimestamp();
            var result = await grain.CallToolAsync(spec, "echo", ArgumentsJson);
            var elapsed = Stopwatch.GetElapsedTime(started);
            return new TurnResult(result == McpToolResult.Success(Message), elapsed);
        }

        // Both paths warm up the JIT, connection pools and the grain activation before anything is measured.
        await LoadPhases.ConcurrentAsync(Direct, options.Callers, options.WarmupSeconds);
        await LoadPhases.ConcurrentAsync(ThroughGrain, options.Callers, options.WarmupSeconds);

        var report = new StringBuilder();
        report.AppendLine("| phase | path | calls | calls/s | p50 ms | p99 ms | benchmark process CPU per call |");
        report.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        var errors = 0;
        async Task Measure(string phase, string path, Func<Task<PhaseResult>> run)
        {
            var cpuBefore = self.CpuTime();
            var result = await run();
            var cpuPerCall = (self.CpuTime() - cpuBefore).TotalMilliseconds / result.Latencies.Count;
            errors += result.Errors;
            report.AppendLine(CultureInfo.InvariantCulture, $"| {phase} | {path} | {result.Latencies.Count} | {result.Throughput:F0} | {result.Latencies.Percentile(50):F3} | {result.Latencies.Percentile(99):F3} | {cpuPerCall:F3} ms |");
        }

        await Measure("1 caller", "SDK McpClient, direct", () => LoadPhases.SequentialAsync(Direct, options.SequentialCalls));
        await Measure("1 caller", "McpConnectionGrain", () => LoadPhases.SequentialAsync(ThroughGrain, options.SequentialCalls));
        var concurrent = $"{options.Callers} callers";
        await Measure(concurrent, "SDK McpClient, direct", () => LoadPhases.ConcurrentAsync(Direct, options.Callers, options.Seconds));
        await Measure(concurrent, "McpConnectionGrain", () => LoadPhases.ConcurrentAsync(ThroughGrain, options.Callers, options.Seconds));

        var status = await grain.GetStatusAsync();
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"errors: {errors}; the grain's one session: {status.State}, opened {status.ConnectedSince:O}");
        Console.WriteLine(report.ToString());
        if (options.OutputPath is not null)
        {
            await File.WriteAllTextAsync(options.OutputPath, report.ToString());
        }

        return errors == 0 ? 0 : 1;
    }

    /// <summary>A silo of its own (localhost clustering on free ports) with the MCP connection grain, as the gateway has it.</summary>
    private static async Task<IHost> StartSiloAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], EnvironmentName = Environments.Production });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Error); // start-up advice (server GC) and starvation warnings of a loaded machine
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: LoopbackPort.Next(), gatewayPort: LoopbackPort.Next(), serviceId: "mcp-bench", clusterId: "mcp-bench");
            silo.Services.AddMcpTools();
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
