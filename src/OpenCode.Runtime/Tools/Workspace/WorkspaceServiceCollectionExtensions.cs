using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace OpenCode.Runtime.Tools.Workspace;

public static class WorkspaceServiceCollectionExtensions
{
    /// <summary>Registers <see cref="WorkspaceServer"/> (singleton), configured from <c>Tools:Workspace</c> and <c>OPENCODE_WORKSPACE</c>.</summary>
    public static IServiceCollection AddWorkspaceServer(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new WorkspaceServer(
            WorkspaceOptions.From(sp.GetRequiredService<IConfiguration>()), sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }
}
