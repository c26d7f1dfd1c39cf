using System.Globalization;
using System.Text;
using Npgsql;
using OpenCode.Testing;

namespace OpenCode.Benchmarks;

/// <summary>
/// <c>--cluster</c>: the gateway's own cost of a durable turn in each profile: embedded (SQLite), then the cluster
/// profile with one and with three silos on PostgreSQL (synchronous_commit on, a database of its own) and Redis,
/// from <c>ConnectionStrings__Postgres</c> / <c>ConnectionStrings__Redis</c>. Each profile is measured next to
/// the direct-to-model baseline of the same run (one client: interleaved turn by turn, with a durable commit from
/// the load generator too); with three silos the clients spread over all gateways, so most turns take a hop to
/// the silo that holds their conversation.
/// </summary>
public static class ClusterBenchmark
{
    private static readonly Dictionary<string, string?> Quiet = new() { ["Logging__LogLevel__Default"] = "Warning" };

    /// <summary>
    /// <paramref name="args"/> may add <c>--silos 1,3</c> (the cluster sizes to measure) and <c>--no-embedded</c>, to compare
    /// storage settings (say, Npgsql options in <c>ConnectionStrings__Postgres</c>) without waiting for every profile.
    /// </summary>
    public static async Task<int> RunAsync(BenchmarkOptions options, string[] args)
    {
        var clusterSizes = (args.SkipWhile(a => a != "--silos").Skip(1).FirstOrDefault() ?? "1,3")
            .Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        Console.WriteLine($"OpenCode.Orleans cluster benchmark — {Environment.ProcessorCount} cores, per profile {options.WarmupSeconds}s warm-up, "
            + $"{options.SequentialTurns} sequential turns, {options.Clients} clients × {options.ConcurrentSeconds}s; load average {ProcessMeter.LoadAverage()}");
        await using var model = await FakeModelProcess.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(60) };
        var direct = new DirectModelTurn(http, model.Url);
        await LoadPhases.SequentialAsync(direct.RunAsync, 3000);

        var report = new StringBuilder();
        report.AppendLine("| profile | phase | path | turns | turns/s | p50 ms | p99 ms |");
        report.AppendLine("|---|---|---|---:|---:|---:|---:|");
        var summary = new StringBuilder();
        summary.AppendLine($"| profile | added p50, 1 client | added p99, 1 client | durable commit p50 (same moments) | WAL flushes per turn | turns/s, {options.Clients} clients (direct) | errors |");
        summary.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        var settings = "";
        var errors = 0;

        async Task MeasureAsync(string profile, IReadOnlyList<Uri> gateways, CommitProbe? probe)
        {
            await BenchmarkAgent.CreateAsync(http, gateways[0], model.Url);
            var turns = gateways.Select(g => new GatewayTurn(http, g, BenchmarkAgent.Id)).ToArray();
            var next = 0;
            Task<TurnResult> ThroughGateway() => turns[(int)((uint)Interlocked.Increment(ref next) % turns.Length)].RunAsync();

            await LoadPhases.WarmUpAsync(ThroughGateway, options.WarmupSeconds);
            await Task.WhenAll(turns.Select(turn => turn.StartConversationsAsync(options.Clients)));
            var flushesBefore = probe is null ? 0 : await probe.WalSyncsAsync();
            var sequential = await LoadPhases.InterleavedAsync(
                probe is null ? [direct.RunAsync, ThroughGateway] : [direct.RunAsync, ThroughGateway, probe.RunAsync], options.SequentialTurns);
            var (directSeq, gatewaySeq) = (sequential[0], sequential[1]);
            // The probe's own commits flush once each.
            var flushesPerTurn = probe is null ? double.NaN : (await probe.WalSyncsAsync() - flushesBefore - options.SequentialTurns) / (double)options.SequentialTurns;
            var directConc = await LoadPhases.ConcurrentAsync(direct.RunAsync, options.Clients, options.ConcurrentSeconds);
            var gatewayConc = await LoadPhases.ConcurrentAsync(ThroughGateway, options.Clients, options.ConcurrentSeconds);
            void Row(string phase, string path, PhaseResult r) => report.AppendLine(
                $"| {profile} | {phase} | {path} | {r.Latencies.Count} | {r.Throughput:F0} | {r.Latencies.Percentile(50):F3} | {r.Latencies.Percentile(99):F3} |");
            Row("1 client", "direct to model", directSeq);
            Row("1 client", "through gateway", gatewaySeq);
            if (probe is not null)
            {
                Row("1 client", "one durable commit (load generator)", sequential[2]);
            }

            Row($"{options.Clients} clients", "direct to model", directConc);
            Row($"{options.Clients} clients", "through gateway", gatewayConc);
            var profileErrors = sequential.Sum(r => r.Errors) + directConc.Errors + gatewayConc.Errors;
            summary.AppendLine($"| {profile} | {gatewaySeq.Latencies.Percentile(50) - directSeq.Latencies.Percentile(50):F3} ms "
                + $"| {gatewaySeq.Latencies.Percentile(99) - directSeq.Latencies.Percentile(99):F3} ms "
                + (probe is null ? "| – | – " : $"| {sequential[2].Latencies.Percentile(50):F3} ms | {flushesPerTurn:F2} ")
                + $"| {gatewayConc.Throughput:F0} ({directConc.Throughput:F0}) | {profileErrors} |");
            errors += profileErrors;
            Console.WriteLine($"{profile}: done (load average {ProcessMeter.LoadAverage()})");
        }

        if (!args.Contains("--no-embedded"))
        {
            await using var embedded = await GatewayProcess.StartAsync(environment: Quiet);
            await MeasureAsync("embedded (SQLite)", [embedded.BaseUrl], probe: null);
        }

        foreach (var silos in clusterSizes)
        {
            await using var database = await PostgresDatabase.CreateAsync();
            // Durable commits whatever the server's default: the target is about an acknowledged turn being on disk.
            await using (var connection = await database.OpenAsync())
            {
                await using var on = new NpgsqlCommand($"ALTER DATABASE {database.Name} SET synchronous_commit = on", connection);
                await on.ExecuteNonQueryAsync();
            }

            await using var probe = await CommitProbe.StartAsync(database);
            settings = $"PostgreSQL {await probe.ShowAsync("server_version")}: synchronous_commit={await probe.ShowAsync("synchronous_commit")}, fsync={await probe.ShowAsync("fsync")}.";
            await using var cluster = await GatewayCluster.StartAsync(silos, database.ConnectionString, Quiet);
            await MeasureAsync($"cluster, {silos} silo{(silos == 1 ? "" : "s")} (PostgreSQL + Redis)", [.. cluster.Gateways.Select(g => g.BaseUrl)], probe);
        }

        report.AppendLine();
        report.Append(summary);
        report.AppendLine();
        report.AppendLine(settings);
        Console.WriteLine(report.ToString());
        if (options.OutputPath is not null)
        {
            await File.WriteAllTextAsync(options.OutputPath, report.ToString());
        }

        return errors == 0 ? 0 : 1;
    }
}
