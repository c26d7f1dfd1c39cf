using Microsoft.AspNetCore.Http.HttpResults;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api.Models;
using OpenCode.Gateway.Security;
using OpenCode.Runtime.Tools;
using Orleans.Runtime;

namespace OpenCode.Gateway.Api;

public static class McpServersApi
{
    public static IEndpointRouteBuilder MapMcpServersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/mcp/servers", ListAsync)
            .WithTags("MCP servers").WithName("ListMcpServers")
            .WithSummary("The operator-defined MCP servers and the state of the answering silo's session to each.");
        return app;
    }

    public static async Task<Ok<McpServerStatusList>> ListAsync(
        [AsParameters] ApiContext api, OperatorMcpServers servers, McpServerStatuses statuses, ILocalSiloDetails silo)
    {
        api.Demand(Permissions.McpRead);
        return TypedResults.Ok(await StatusesAsync(servers.All, statuses, silo));
    }

    /// <summary>The statuses of <paramref name="entries"/> as this silo sees them.</summary>
    internal static async Task<McpServerStatusList> StatusesAsync(IEnumerable<McpServerConfig> entries, McpServerStatuses statuses, ILocalSiloDetails silo) =>
        new(silo.SiloAddress.ToParsableString(), [.. (await statuses.ReadAsync(entries)).Select(McpServerStatusView.From)]);
}
