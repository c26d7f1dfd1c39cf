using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api.Models;
using OpenCode.Gateway.Security;
using OpenCode.Runtime.Agents;
using OpenCode.Runtime.Tools;
using Orleans.Runtime;

namespace OpenCode.Gateway.Api;

public static class AgentsApi
{
    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var agents = app.MapGroup("/agents").WithTags("Agents");
        agents.MapPost("/", CreateAsync).WithName("CreateAgent").WithSummary("Create an agent (bare configuration or {\"agent\": {...}}).");
        agents.MapGet("/", ListAsync).WithName("ListAgents").WithSummary("List the agents.");
        agents.MapGet("/{agentId}", GetAsync).WithName("GetAgent").WithSummary("Get an agent's current version.");
        agents.MapPut("/{agentId}", UpdateAsync).WithName("UpdateAgent").WithSummary("Write a new version of an agent.");
        agents.MapDelete("/{agentId}", DeleteAsync).WithName("DeleteAgent").WithSummary("Delete an agent.");
        agents.MapGet("/{agentId}/tools", ListToolsAsync).WithName("ListAgentTools").WithSummary("List the tools the agent's MCP servers offer, with their permission.");
        agents.MapGet("/{agentId}/tool-changes", ListToolChangesAsync).WithName("ListToolChanges")
            .WithSummary("List the tools whose definition changed since the agent accepted it; their calls are asked for until accepted.");
        agents.MapPost("/{agentId}/tool-changes/{tool}/accept", AcceptToolChangeAsync).WithName("AcceptToolChange")
            .WithSummary("Accept a tool's changed definition: its permission is the configured one again.");
        agents.MapGet("/{agentId}/mcp-servers", ListMcpServersAsync).WithName("ListAgentMcpServers")
            .WithSummary("The agent's MCP servers and the state of the answering silo's session to each; never connects.");
        return app;
    }

    public static async Task<Results<Created<AgentView>, ProblemHttpResult>> CreateAsync(JsonNode? body, [AsParameters] ApiContext api, AuditTrail audit)
    {
        var created = await CreateAgentAsync(body, "body", api, audit);
        return TypedResults.Created($"/agents/{created.Id}", created);
    }

    /// <summary>Creates an agent from its configuration (bare or <c>{"agent": {...}}</c>) read from <paramref name="source"/> (HTTP and WebSocket).</summary>
    public static async Task<AgentView> CreateAgentAsync(JsonNode? body, string source, ApiContext api, AuditTrail audit)
    {
        api.Demand(Permissions.AgentsWrite);
        var config = OperatorAgents.ParseAgent(body, source);
        if (config.Id is not null && !AgentConfigValidator.IsValidId(config.Id))
        {
            throw new ValidationFailedException([new FieldError("id", "must be 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit")]);
        }

        var id = config.Id ?? "agent-" + Guid.NewGuid().ToString("N")[..12];
        var agent = await Agent(api, id).CreateAsync(config with { Id = id });
        await audit.AgentCreatedAsync(api.Caller, agent);
        return AgentView.From(agent);
    }

    public static async Task<Ok<AgentList>> ListAsync([AsParameters] ApiContext api) => TypedResults.Ok(await ListAgentsAsync(api));

    /// <summary>The agents of the caller's tenant that the caller may see (HTTP and WebSocket).</summary>
    public static async Task<AgentList> ListAgentsAsync(ApiContext api)
    {
        api.Demand(Permissions.AgentsRead);
        var agents = await api.Grains.GetGrain<IAgentDirectoryGrain>(api.Caller.Tenant).ListAsync();
        return new([.. agents.Where(a => AgentAccessPolicy.Allows(api, a.Access))]);
    }

    public static async Task<Results<Ok<AgentView>, ProblemHttpResult>> GetAsync(string agentId, [AsParameters] ApiContext api) =>
        TypedResults.Ok(await GetAgentAsync(agentId, api));

    /// <summary>The agent's current version; <c>agent_not_found</c> when there is none (HTTP and WebSocket).</summary>
    public static async Task<AgentView> GetAgentAsync(string agentId, ApiContext api)
    {
        api.Demand(Permissions.AgentsRead);
        return AgentView.From(await VisibleAgentAsync(api, agentId) ?? throw new OpenCodeException(ErrorCodes.AgentNotFound, $"Agent '{agentId}' was not found."));
    }

    /// <summary>
    /// The agent's current version when the caller may read it; null when it does not exist or is restricted to
    /// others (the same answer, so restricted agents cannot be discovered).
    /// </summary>
    public static async Task<AgentSnapshot?> VisibleAgentAsync(ApiContext api, string agentId) =>
        await Agent(api, agentId).GetAsync() is { } agent && AgentAccessPolicy.Allows(api, agent.Config.Access) ? agent : null;

    public static async Task<Results<Ok<AgentView>, ProblemHttpResult>> UpdateAsync(string agentId, JsonNode? body, [AsParameters] ApiContext api, AuditTrail audit)
    {
        api.Demand(Permissions.AgentsWrite);
        var config = OperatorAgents.ParseAgent(body, "body");
        if (config.Id is not null && config.Id != agentId)
        {
            return Problems.Validation("id", $"the body's id '{config.Id}' differs from the URL's '{agentId}'");
        }

        var agent = await Agent(api, agentId).UpdateAsync(config with { Id = agentId });
        await audit.AgentUpdatedAsync(api.Caller, agent);
        return TypedResults.Ok(AgentView.From(agent));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string agentId, [AsParameters] ApiContext api, AuditTrail audit)
    {
        api.Demand(Permissions.AgentsWrite);
        if (!await Agent(api, agentId).DeleteAsync())
        {
            return NotFound(agentId);
        }

        await audit.AgentDeletedAsync(api.Caller, agentId);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<AgentToolsView>, ProblemHttpResult>> ListToolsAsync(
        string agentId, [AsParameters] ApiContext api, AgentTools agentTools, CancellationToken cancellationToken)
    {
        api.Demand(Permissions.AgentsRead);
        if (await VisibleAgentAsync(api, agentId) is not { } agent)
        {
            return NotFound(agentId);
        }

        var tools = await agentTools.LoadAsync(AgentKey(api, agentId), agent.Config, ToolPermissions.From(agent.Config.Permissions), cancellationToken);
        return TypedResults.Ok(new AgentToolsView(
            [.. tools.All.Select(t => new AgentToolView(
                t.Info.QualifiedName, t.Info.Server, t.Info.Name, t.Info.Description, JsonSchemas.Parse(t.Info.InputSchemaJson), t.Permission, t.Changed))],
            [.. tools.Problems.Select(p => new ServerErrorView(p.Server, p.Error))]));
    }

    public static async Task<Results<Ok<McpServerStatusList>, ProblemHttpResult>> ListMcpServersAsync(
        string agentId, [AsParameters] ApiContext api, McpServerStatuses statuses, ILocalSiloDetails silo)
    {
        api.Demand(Permissions.AgentsRead);
        api.Demand(Permissions.McpRead);
        if (await VisibleAgentAsync(api, agentId) is not { } agent)
        {
            return NotFound(agentId);
        }

        return TypedResults.Ok(await McpServersApi.StatusesAsync(agent.Config.Mcp?.Servers ?? [], statuses, silo));
    }

    public static async Task<Results<Ok<ToolChangeListView>, ProblemHttpResult>> ListToolChangesAsync(string agentId, [AsParameters] ApiContext api)
    {
        api.Demand(Permissions.AgentsRead);
        if (await VisibleAgentAsync(api, agentId) is null)
        {
            return NotFound(agentId);
        }

        var changes = await api.Grains.GetGrain<IToolDefinitionsGrain>(AgentKey(api, agentId)).ListChangesAsync();
        return TypedResults.Ok(new ToolChangeListView([.. changes.Select(ToolChangeView.From)]));
    }

    /// <summary>Accepting a change restores the tool's configured permission (an <c>allow</c>, perhaps): audited like an agent's change.</summary>
    public static async Task<Results<Ok<ToolChangeView>, ProblemHttpResult>> AcceptToolChangeAsync(
        string agentId, string tool, [AsParameters] ApiContext api, AuditTrail audit)
    {
        api.Demand(Permissions.AgentsWrite);
        if (await Agent(api, agentId).GetAsync() is null)
        {
            return NotFound(agentId);
        }

        if (await api.Grains.GetGrain<IToolDefinitionsGrain>(AgentKey(api, agentId)).AcceptAsync(tool) is not { } accepted)
        {
            return Problems.For(ErrorCodes.ToolChangeNotFound, $"Tool '{tool}' of agent '{agentId}' has no change waiting to be accepted.");
        }

        await audit.ToolChangeAcceptedAsync(api.Caller, agentId, accepted);
        return TypedResults.Ok(ToolChangeView.From(accepted));
    }

    private static string AgentKey(ApiContext api, string agentId) => GrainKeys.Agent(api.Caller.Tenant, agentId);

    /// <summary>An id that no agent can have is not looked up: it is simply not found.</summary>
    private static IAgentGrain Agent(ApiContext api, string agentId) => AgentConfigValidator.IsValidId(agentId)
        ? api.Grains.GetGrain<IAgentGrain>(GrainKeys.Agent(api.Caller.Tenant, agentId))
        : throw new OpenCodeException(ErrorCodes.AgentNotFound, $"Agent '{agentId}' was not found.");

    private static ProblemHttpResult NotFound(string agentId) =>
        Problems.For(ErrorCodes.AgentNotFound, $"Agent '{agentId}' was not found.");
}
