using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenCode.Runtime.Mcp.Auth;
using OpenCode.Runtime.Security;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Mcp;

public static class McpServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ToolCatalog"/>, <see cref="ConfiguredSecrets"/> and <see cref="McpSupervisionOptions"/>
    /// (singletons, the options read from configuration), the <see cref="EndpointPolicy"/> and <see cref="ConnectionGuard"/>
    /// every MCP HTTP and WebSocket connection goes through, and the in-process <see cref="WorkspaceServer"/>. The
    /// <see cref="McpConnectionGrain"/> itself is found by Orleans in this assembly; besides these, the silo's
    /// <c>IGrainFactory</c>, configuration and logging are all it needs.
    /// </summary>
    public static IServiceCollection AddMcpTools(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ToolCatalog>();
        services.TryAddSingleton<ConfiguredSecrets>();
        services.AddEndpointPolicy();
        services.AddWorkspaceServer();
        services.TryAddSingleton(provider => McpSupervisionOptions.From(provider.GetRequiredService<IConfiguration>()));
        return services;
    }
}
