using System.Text.Json.Nodes;
using OpenCode.Abstractions;
using OpenCode.Gateway.Security;
using OpenCode.Runtime.Audit;

namespace OpenCode.Gateway.Api;

/// <summary>
/// Records the admin actions callers take through the API, over HTTP and WebSocket alike, in the audit log: the actor is
/// <see cref="CallerIdentity.User"/>, the tenant <see cref="CallerIdentity.Tenant"/> (for what the operator's
/// configuration did at start, <see cref="AuditActors.OperatorConfig"/>). A record is durable before the action's success is
/// answered; when it cannot be written the request fails (503 when the store is unreachable) though the action was taken.
/// </summary>
public sealed class AuditTrail(IAuditLog log, TimeProvider clock)
{
    /// <summary>The time to record an action at when it is recorded only once it is over.</summary>
    public DateTimeOffset Now => clock.GetUtcNow();

    public Task AgentCreatedAsync(CallerIdentity caller, AgentSnapshot agent) =>
        AppendAsync(caller, AuditActions.AgentCreated, AuditResourceTypes.Agent, agent.Id, Now, null, new JsonObject { ["version"] = agent.Version });

    public Task AgentUpdatedAsync(CallerIdentity caller, AgentSnapshot agent) =>
        AppendAsync(caller, AuditActions.AgentUpdated, AuditResourceTypes.Agent, agent.Id, Now, null, new JsonObject { ["version"] = agent.Version });

    public Task AgentDeletedAsync(CallerIdentity caller, string agentId) =>
        AppendAsync(caller, AuditActions.AgentDeleted, AuditResourceTypes.Agent, agentId, Now, null, null);

    public Task ToolChangeAcceptedAsync(CallerIdentity caller, string agentId, ToolChange accepted) =>
        AppendAsync(caller, AuditActions.AgentToolChangeAccepted, AuditResourceTypes.Agent, agentId, accepted.AcceptedAt ?? Now, null, new JsonObject
        {
            ["tool"] = accepted.Tool,
            ["server"] = accepted.Current.Server,
            ["previousHash"] = accepted.Previous.Hash,
            ["hash"] = accepted.Current.Hash,
        });

    /// <summary>Recorded in the issuer's tenant, naming the key's own tenant and roles (never the key).</summary>
    public Task ApiKeyIssuedAsync(CallerIdentity caller, ApiKeyInfo key) => ApiKeyIssuedAsync(caller.Tenant, caller.User, key);

    /// <summary>A key the operator's configuration issued (the bootstrap admin key): recorded in the key's tenant.</summary>
    public Task ApiKeyIssuedByConfigurationAsync(ApiKeyInfo key) => ApiKeyIssuedAsync(key.Tenant, AuditActors.OperatorConfig, key);

    /// <summary>A key whose roles the operator's configuration replaced (the bootstrap admin key): recorded in the key's tenant.</summary>
    public Task ApiKeyRolesChangedByConfigurationAsync(IReadOnlyList<string> previousRoles, ApiKeyInfo key) =>
        AppendAsync(key.Tenant, AuditActors.OperatorConfig, AuditActions.ApiKeyRolesChanged, AuditResourceTypes.ApiKey, key.Id, Now, null, new JsonObject
        {
            ["tenant"] = key.Tenant,
            ["previousRoles"] = Json(previousRoles),
            ["roles"] = Json(key.Roles),
        });

    public Task ApiKeyRevokedAsync(CallerIdentity caller, ApiKeyInfo key) =>
        AppendAsync(caller, AuditActions.ApiKeyRevoked, AuditResourceTypes.ApiKey, key.Id, Now, null, new JsonObject { ["tenant"] = key.Tenant });

    /// <summary>An answer the conversation took at <paramref name="answeredAt"/>: before the call it let run, which the turn records.</summary>
    public Task ApprovalAnsweredAsync(CallerIdentity caller, string conversationId, string approvalId, string decision, DateTimeOffset answeredAt) =>
        AppendAsync(
            caller,
            ApprovalDecisions.Runs(decision) ? AuditActions.ToolApproved : AuditActions.ToolRejected,
            AuditResourceTypes.Approval,
            approvalId,
            answeredAt,
            conversationId,
            new JsonObject { ["decision"] = decision });

    private Task ApiKeyIssuedAsync(string tenant, string actor, ApiKeyInfo key) =>
        AppendAsync(tenant, actor, AuditActions.ApiKeyIssued, AuditResourceTypes.ApiKey, key.Id, Now, null, new JsonObject
        {
            ["tenant"] = key.Tenant,
            ["user"] = key.User,
            ["roles"] = Json(key.Roles),
        });

    private static JsonArray Json(IReadOnlyList<string> roles) => new([.. roles.Select(r => JsonValue.Create(r))]);

    private Task AppendAsync(
        CallerIdentity caller, string action, string resourceType, string resourceId, DateTimeOffset at, string? conversationId, JsonObject? detail) =>
        AppendAsync(caller.Tenant, caller.User, action, resourceType, resourceId, at, conversationId, detail);

    /// <summary>Not cancellable: the action is done, so its record is written even if the caller has gone.</summary>
    private Task AppendAsync(
        string tenant, string actor, string action, string resourceType, string resourceId, DateTimeOffset at, string? conversationId, JsonObject? detail) =>
        log.AppendAsync(
            new AuditEntry
            {
                At = at,
                Tenant = tenant,
                Actor = actor,
                Action = action,
                ResourceType = resourceType,
                ResourceId = resourceId,
                ConversationId = conversationId,
                Outcome = AuditOutcomes.Succeeded,
                Detail = detail?.ToJsonString(),
            },
            CancellationToken.None);
}
