using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenCode.Abstractions;
using OpenCode.Client;
using OpenCode.Testing;

namespace OpenCode.Integration.Tests.Cluster;

/// <summary>Where grains live in a <see cref="GatewayCluster"/>, asked of the silos' own directory through an Orleans client.</summary>
internal static class GrainPlacement
{
    /// <summary>The silo port of the silo each conversation is active on, asked through <paramref name="gateway"/>.</summary>
    public static async Task<Dictionary<string, int>> ConversationHostsAsync(GatewayCluster cluster, GatewayProcess gateway, IEnumerable<string> conversationIds)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddOpenCodeClient(o =>
        {
            o.GatewayPort = gateway.OrleansGatewayPort;
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IClusterClient>();
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = new Dictionary<string, int>();
        foreach (var id in conversationIds)
        {
            var conversation = grains.GetGrain<IConversationGrain>(GrainKeys.Conversation(GrainKeys.LocalTenant, "local", id));
            var silo = await management.GetActivationAddress(conversation) ?? throw new InvalidOperationException($"{id} is not active anywhere.");
            hosts[id] = silo.Endpoint.Port;
        }

        await host.StopAsync();
        return hosts;
    }
}
