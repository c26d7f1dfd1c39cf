using System.Diagnostics;
using System.Text;
using Npgsql;
using OpenCode.Testing;

namespace OpenCode.Benchmarks;

/// <summary>
/// <c>--cluster</c>: the gateway's own cost of a durable turn in each profile: embedded (SQLite), then the cluster
/// profile with one and with three silos on PostgreSQL (synchronous_commit on, a database of its own) and Redis,
/// from <c>ConnectionStrings__Postgres</c> / <c>ConnectionStrings__Redis</c>. Each profile is measured next to
/// the direct-to-model baseline of the same run; with three silos the clients spread over all gateways, so most
/// turns take a hop to the silo that holds their conversation.
/// </summary>
public static class ClusterBenchmark
{
    private static readonly Dictionary<string, string?> Quiet = new() { ["Logging__LogLevel__Default"] = "Warning" };

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        Console.WriteLine($"OpenCode.Orleans cluster benchmark — {Environment.ProcessorCount} cores, per profile {options.WarmupSeconds}s warm-up, "
            + $"{options.SequentialTurns} sequential turns, {options.Clients} clients × {options.ConcurrentSeconds}s; load average {LoadAverage()}");
        await using var model = await FakeModelProcess.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(60) };
        var direct = new DirectModelTurn(http, model.Url);
        await LoadPhases.SequentialAsync(direct.RunAsync, 3000);

        var report = new StringBuilder();
        report.AppendLine("| profile | phase | path | turns | turns/s | p50 ms | p99 ms |");
        report.AppendLine("|---|---|---|---:|---:|---:|---:|");
        var summary = new StringBuilder();
        summary.AppendLine($"| profile | added p50, 1 client | added p99, 1 client | turns/s, {options.Clients} clients (direct) | errors |");
        summary.AppendLine("|---|---:|---:|---:|---:|");
        var errors = 0;
        var storage = new StringBuilder();

        async Task MeasureAsync(string profile, IReadOnlyList<Uri> gateways, PostgresDatabase? database = null)
        {
            await BenchmarkAgent.CreateAsync(http, gateways[0], model.Url);
            var turns = gateways.Select(g => new GatewayTurn(http, g, BenchmarkAgent.Id)).ToArray();
            var next = 0;
            Task<TurnResult> ThroughGateway() => turns[(int)((uint)Interlocked.Increment(ref next) % turns.Length)].RunAsync();

            await LoadPhases.WarmUpAsync(ThroughGateway, options.WarmupSeconds);
            var directSeq = await LoadPhases.SequentialAsync(direct.RunAsync, options.SequentialTurns);
            var commitsBefore = database is null ? 0 : await CommitsAsync(database);
            var gatewaySeq = await LoadPhases.SequentialAsync(ThroughGateway, options.SequentialTurns);
            if (database is not null)
            {
                storage.AppendLine($"{profile}: {(await CommitsAsync(database) - commitsBefore) / (double)options.SequentialTurns:F2} PostgreSQL commits per turn (1 client).");
            }
            var directConc = await LoadPhases.ConcurrentAsync(direct.RunAsync, options.Clients, options.ConcurrentSeconds);
            var gatewayConc = await LoadPhases.ConcurrentAsync(ThroughGateway, options.Clients, options.ConcurrentSeconds);
            void Row(string phase, string path, PhaseResult r) => report.AppendLine(
                $"| {profile} | {phase} | {path} | {r.Latencies.Count} | {r.Throughput:F0} | {r.Latencies.Percentile(50):F3} | {r.Latencies.Percentile(99):F3} |");
            Row("1 client", "direct to model", directSeq);
            Row("1 client", "through gateway", gatewaySeq);
            Row($"{options.Clients} clients", "direct to model", directConc);
            Row($"{options.Clients} clients", "through gateway", gatewayConc);
            var profileErrors = directSeq.Errors + gatewaySeq.Errors + directConc.Errors + gatewayConc.Errors;
            summary.AppendLine($"| {profile} | {gatewaySeq.Latencies.Percentile(50) - directSeq.Latencies.Percentile(50):F3} ms "
                + $"| {gatewaySeq.Latencies.Percentile(99) - directSeq.Latencies.Percentile(99):F3} ms "
                + $"| {gatewayConc.Throughput:F0} ({directConc.Throughput:F0}) | {profileErrors} |");
            errors += profileErrors;
            Console.WriteLine($"{profile}: done (load average {LoadAverage()})");
        }

        await using (var embedded = await GatewayProcess.StartAsync(environment: Quiet))
        {
            await MeasureAsync("embedded (SQLite)", [embedded.BaseUrl]);
        }

        foreach (var silos in new[] { 1, 3 })
        {
            await using var database = await PostgresDatabase.CreateAsync();
            // Durable commits whatever the server's default: the target is about an acknowledged turn being on disk.
            await using (var connection = await database.OpenAsync())
            {
                await using var on = new NpgsqlCommand($"ALTER DATABASE {database.Name} SET synchronous_commit = on", connection);
                await on.ExecuteNonQueryAsync();
            }

            if (silos == 1)
            {
                storage.AppendLine(await DescribeStorageAsync(database));
            }

            await using var cluster = await GatewayCluster.StartAsync(silos, database.ConnectionString, Quiet);
            await MeasureAsync($"cluster, {silos} silo{(silos == 1 ? "" : "s")} (PostgreSQL + Redis)", [.. cluster.Gateways.Select(g => g.BaseUrl)], database);
        }

        report.AppendLine();
        report.Append(summary);
        report.AppendLine();
        report.Append(storage);
        Console.WriteLine(report.ToString());
        if (options.OutputPath is not null)
        {
            await File.WriteAllTextAsync(options.OutputPath, report.ToString());
        }

        return errors == 0 ? 0 : 1;
    }

    /// <summary>
    /// The server's durability settings as the gateways' sessions see them, and what one durable commit costs from
    /// this machine (an autocommitted one-row upsert, like a grain write): the floor under a turn's storage cost.
    /// </summary>
    private static async Task<string> DescribeStorageAsync(PostgresDatabase database)
    {
        await using var connection = await database.OpenAsync();
        async Task<string> Show(string setting)
        {
            await using var show = new NpgsqlCommand($"SHOW {setting}", connection);
            return (string)(await show.ExecuteScalarAsync())!;
        }

        await using (var create = new NpgsqlCommand("CREATE TABLE commit_probe (id int PRIMARY KEY, payload bytea)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using var upsert = new NpgsqlCommand(
            "INSERT INTO commit_probe VALUES (1, @p) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload", connection);
        upsert.Parameters.AddWithValue("p", new byte[2048]);
        var latencies = new LatencyRecorder();
        for (var i = 0; i < 1000; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await upsert.ExecuteNonQueryAsync();
            latencies.Add(Stopwatch.GetElapsedTime(started));
        }

        return $"PostgreSQL: synchronous_commit={await Show("synchronous_commit")}, fsync={await Show("fsync")}; "
            + $"one durable 2 KB upsert from the load generator: p50 {latencies.Percentile(50):F3} ms, p99 {latencies.Percentile(99):F3} ms.";
    }

    /// <summary>Transactions committed in the database so far (the statistics reach the view within a second or so).</summary>
    private static async Task<long> CommitsAsync(PostgresDatabase database)
    {
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        return await database.ScalarAsync<long>("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
