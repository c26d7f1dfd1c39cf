using System.Diagnostics;
using OpenCode.Testing;
using Xunit.Abstractions;

namespace OpenCode.Integration.Tests.Cluster;

/// <summary>SIGTERM to a cluster-profile silo: it drains and leaves within its shutdown timeout, and the others take over at once.</summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    private const int ShutdownTimeoutSeconds = 10;

    /// <summary>Well below the ~13 s a silo killed with SIGKILL takes to be declared dead.</summary>
    private static readonly TimeSpan TakeoverLimit = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_silo_stopped_with_SIGTERM_exits_in_time_and_its_conversations_move_at_once_with_their_history()
    {
        await using var model = await FakeModelServer.StartAsync();
        await using var database = await PostgresDatabase.CreateAsync();
        await using var cluster = await GatewayCluster.StartAsync(2, database.ConnectionString, new Dictionary<string, string?>
        {
            ["Orleans__ShutdownTimeoutSeconds"] = ShutdownTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var (stays, leaves) = (cluster.Gateways[0], cluster.Gateways[1]);
        var agentId = await ClusterApi.CreateAgentAsync(stays.Client, model);
        // Placement picks the silo: conversations are added, eight at a time, until some live on the one that leaves.
        var moving = new List<string>();
        for (var batch = 0; batch < 8 && moving.Count == 0; batch++)
        {
            var conversations = new List<string>();
            for (var i = 0; i < 8; i++)
            {
                var id = await ClusterApi.CreateConversationAsync(leaves.Client, agentId);
                await ClusterApi.SendAsync(leaves.Client, id, "before the stop");
                conversations.Add(id);
            }

            var hosts = await GrainPlacement.ConversationHostsAsync(cluster, stays, conversations);
            moving.AddRange(conversations.Where(id => hosts[id] == leaves.SiloPort));
        }

        Assert.NotEmpty(moving);

        var clock = Stopwatch.StartNew();
        await leaves.StopAsync(grace: TimeSpan.FromSeconds(ShutdownTimeoutSeconds + 20));
        var exitedAfter = clock.Elapsed;

        Assert.Equal(0, leaves.ExitCode);
        Assert.True(exitedAfter < TimeSpan.FromSeconds(ShutdownTimeoutSeconds + 5), $"the silo took {exitedAfter} to exit");
        clock.Restart();
        var served = await Task.WhenAll(moving.Select(id => ClusterApi.SendUntilServedAsync(stays.Client, id, "after the stop", clock, TakeoverLimit)));
        output.WriteLine($"SIGTERM: exited after {exitedAfter.TotalSeconds:F1} s; its {moving.Count} conversations were served by the other silo {served.Max().TotalSeconds:F2} s later.");
        foreach (var id in moving)
        {
            Assert.Equal(
                ["before the stop", "echo: before the stop", "after the stop", "echo: after the stop"],
                await ClusterApi.HistoryAsync(stays.Client, id));
        }
    }
}
