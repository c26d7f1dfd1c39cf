using Microsoft.Extensions.DependencyInjection;
using OpenCode.Runtime.Agents;
using OpenCode.Runtime.Audit;
using OpenCode.Runtime.Conversations;
using OpenCode.Runtime.Limits;
using OpenCode.Runtime.Mcp;
using OpenCode.Runtime.Models;
using OpenCode.Runtime.Security;
using OpenCode.Runtime.Telemetry;
using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime;

public static class RuntimeServiceCollectionExtensions
{
    /// <summary>The services the grains use: agents, the turn loop, models and MCP tools (the profile adds the audit log).</summary>
    public static IServiceCollection AddOpenCodeRuntime(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        CachedGrainInterfaceTypes.AddTo(services);
        services.AddEndpointPolicy();
        services.AddMetrics();
        services.AddSingleton<OpenCodeMetrics>();
        services.AddSingleton<TokenCounter>();
        services.AddSingleton<ContextWindow>();
        services.AddSingleton<TurnLoop>();
        services.AddSingleton<ToolCallAudit>();
        services.AddSingleton<TurnQuota>();
        services.AddSingleton<OperatorMcpServers>();
        services.AddSingleton<McpServerResolver>();
        services.AddSingleton<AgentTools>();
        services.AddSingleton<McpServerStatuses>();
        services.AddSingleton<AgentConfigValidator>();
        services.AddSingleton<OperatorAgents>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<OperatorAgents>());
        services.AddModelProviders();
        services.AddMcpTools();
        return services;
    }
}
