using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OpenCode.Runtime.Mcp;

public static class McpServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ToolCatalog"/> (singleton). The <see cref="McpConnectionGrain"/> itself is found by
    /// Orleans in this assembly; the silo's <c>IGrainFactory</c> and logging are all it needs.
    /// </summary>
    public static IServiceCollection AddMcpTools(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ToolCatalog>();
        return services;
    }
}
