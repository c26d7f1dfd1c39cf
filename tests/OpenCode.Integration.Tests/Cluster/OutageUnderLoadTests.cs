using System.Diagnostics;
using System.Net;
using Npgsql;
using OpenCode.Testing;
using Xunit.Abstractions;

namespace OpenCode.Integration.Tests.Cluster;

/// <summary>
/// Two gateway silos under a steady load of turns while PostgreSQL, then Redis, goes away for a while (each reached
/// through a relay the test cuts): nothing acknowledged is lost or duplicated and service comes back without
/// restarting a silo.
/// </summary>
public sealed class OutageUnderLoadTests(ITestOutputHelper output)
{
    private const int Conversations = 40;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task While_postgres_is_away_turns_fail_with_503_and_afterwards_nothing_acknowledged_is_missing()
    {
        await using var model = await FakeModelServer.StartAsync();
        model.Latency = TimeSpan.FromMilliseconds(50);
        model.RecordRequests = false;
        await using var database = await PostgresDatabase.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var relay = TcpRelay.Start(server.Host!, server.Port);
        var throughRelay = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = relay.Port }.ConnectionString;
        await using var cluster = await GatewayCluster.StartAsync(2, throughRelay, new Dictionary<string, string?> { ["Orleans__TurnReminderSeconds"] = "5" });
        var (load, ids) = await StartLoadAsync(cluster, model);

        await Task.Delay(TimeSpan.FromSeconds(3));
        relay.Sever();
        var severed = DateTime.UtcNow;
        await Task.Delay(Outage);
        relay.Restore();
        var restored = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        await load.StopAsync();
        var recovered = await Task.WhenAll(ids.Select((id, i) =>
            ClusterApi.SendUntilServedAsync(cluster.Gateways[i % 2].Client, id, $"{id} after the outage", clock, RecoveryLimit)));

        var during = load.AnswersBetween(severed.AddSeconds(2), restored);
        var check = await load.CheckHistoriesAsync(cluster.Gateways[1].Client);
        output.WriteLine($"PostgreSQL away {Outage.TotalSeconds:F0} s: answers during the outage {Describe(during)}; {load.Acknowledged} turns acknowledged in all; {check}.");
        output.WriteLine($"Every conversation took a new message within {recovered.Max().TotalSeconds:F1} s of PostgreSQL coming back.");
        Assert.True(during.GetValueOrDefault((int)HttpStatusCode.ServiceUnavailable) > 0, "no request failed with 503 while the store was away");
        Assert.True(during.Keys.All(s => s is (int)HttpStatusCode.ServiceUnavailable or (int)HttpStatusCode.Conflict), $"unexpected answers: {Describe(during)}");
        Assert.Equal(0, check.Lost);
        Assert.Equal(0, check.Duplicated);
    }

    [Fact]
    public async Task While_redis_is_away_the_running_silos_keep_serving()
    {
        await using var model = await FakeModelServer.StartAsync();
        model.Latency = TimeSpan.FromMilliseconds(50);
        model.RecordRequests = false;
        await using var database = await PostgresDatabase.CreateAsync();
        var redis = TestServices.RedisConnectionString.Split(':');
        await using var relay = TcpRelay.Start(redis[0], int.Parse(redis[1], System.Globalization.CultureInfo.InvariantCulture));
        await using var cluster = await GatewayCluster.StartAsync(2, database.ConnectionString, new Dictionary<string, string?>
        {
            [TestServices.RedisVariable] = $"127.0.0.1:{relay.Port}",
        });
        var (load, ids) = await StartLoadAsync(cluster, model);

        await Task.Delay(TimeSpan.FromSeconds(3));
        relay.Sever();
        var severed = DateTime.UtcNow;
        await Task.Delay(Outage);
        var during = load.AnswersBetween(severed, DateTime.UtcNow);
        relay.Restore();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await load.StopAsync();

        var check = await load.CheckHistoriesAsync(cluster.Gateways[0].Client);
        var total = during.Values.Sum();
        var rate = total == 0 ? 0 : 100.0 * during.GetValueOrDefault((int)HttpStatusCode.OK) / total;
        output.WriteLine($"Redis away {Outage.TotalSeconds:F0} s: {total} turns answered meanwhile, {rate:F1}% of them 200 ({Describe(during)}); {check}.");
        Assert.True(rate >= 95, $"only {rate:F1}% of the turns succeeded while Redis was away ({Describe(during)})");
        Assert.Equal(0, check.Lost);
        Assert.Equal(0, check.Duplicated);
        foreach (var (gateway, i) in cluster.Gateways.Select((g, i) => (g, i)))
        {
            await ClusterApi.SendAsync(gateway.Client, ids[i], "after redis came back");
        }
    }

    private static async Task<(TurnLoad Load, string[] Ids)> StartLoadAsync(GatewayCluster cluster, FakeModelServer model)
    {
        var clients = cluster.Gateways.Select(g => g.Client).ToList();
        var agentId = await ClusterApi.CreateAgentAsync(clients[0], model);
        var ids = new string[Conversations];
        for (var i = 0; i < Conversations; i++)
        {
            ids[i] = await ClusterApi.CreateConversationAsync(clients[i % clients.Count], agentId);
        }

        return (TurnLoad.Start(ids, clients), ids);
    }

    private static string Describe(Dictionary<int, int> answers) =>
        string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{(a.Key == 0 ? "no answer" : a.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))}: {a.Value}"));
}
