using Microsoft.Extensions.DependencyInjection;
using OpenCode.Abstractions;
using Orleans.Metadata;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>One MCP session per silo per server spec, shared by every caller.</summary>
[Collection(McpClusterCollection.Name)]
public sealed class McpMultiplexingTests(McpCluster mcp)
{
    [Theory]
    [InlineData(McpTransport.StreamableHttp)]
    [InlineData(McpTransport.WebSocket)]
    public async Task A_hundred_concurrent_callers_with_their_own_grain_references_share_one_session(McpTransport transport)
    {
        await using var server = await TestMcpHttpServer.StartAsync();
        var url = transport == McpTransport.WebSocket ? server.WebSocketUrl : server.StreamableHttpUrl;

        // Each caller builds its spec and grain reference itself, as each conversation does for its turn.
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            var spec = transport == McpTransport.WebSocket ? McpServerSpec.WebSocket("shared", url.ToString()) : McpServerSpec.Http("shared", url.ToString());
            var grain = mcp.Grains.GetGrain<IMcpConnectionGrain>(spec.Key);
            return await grain.CallToolAsync(spec, i % 2 == 0 ? "echo" : "slow", i % 2 == 0 ? $$"""{"message":"caller {{i}}"}""" : """{"ms":200}""");
        }));

        Assert.All(Enumerable.Range(0, 100), i => Assert.Equal(new McpToolResult(false, i % 2 == 0 ? $"caller {i}" : "done"), results[i]));
        Assert.Equal(1, server.Handshakes);
    }

    [Fact]
    public void The_one_session_per_silo_is_left_to_idle_collection_not_to_adaptive_worker_removal()
    {
        // Orleans retires a stateless worker that is idle once any of its calls had to queue, even its only one, at
        // any moment between calls: the stdio server process (and whatever a call left in it) would start over at
        // random. The session must last until the activation is collected after its idle age.
        var grainType = mcp.Connection(McpTestServers.TestStdio()).GetGrainId().Type;
        var placement = mcp.Cluster.Client.ServiceProvider.GetRequiredService<GrainPropertiesResolver>().GetGrainProperties(grainType).Properties;

        Assert.Equal("1", placement["max-local-instances"]);
        Assert.False(bool.Parse(placement["remove-idle-workers"]));
    }
}
