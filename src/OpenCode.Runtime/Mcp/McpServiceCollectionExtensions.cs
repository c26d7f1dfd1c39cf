using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Mcp;

public static class McpServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ToolCatalog"/> (singleton). The <see cref="McpConnectionGrain"/> itself is found by
    /// Orleans in this assembly; it needs the silo's <c>IGrainFactory</c>, logging and the in-process
    /// <see cref="WorkspaceServer"/>.
    /// </summary>
    public static IServiceCollection AddMcpTools(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ToolCatalog>();
        services.AddWorkspaceServer();
        return services;
    }
}
