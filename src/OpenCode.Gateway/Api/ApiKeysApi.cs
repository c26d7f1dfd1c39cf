using Microsoft.AspNetCore.Http.HttpResults;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api.Models;
using OpenCode.Gateway.Security;

namespace OpenCode.Gateway.Api;

public static class ApiKeysApi
{
    public const int MaxNameLength = 100;

    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/admin/api-keys").WithTags("Administration");
        keys.MapPost("/", IssueAsync).WithName("IssueApiKey").WithSummary("Issue an API key; the answer is the only time the key is shown.");
        keys.MapGet("/", ListAsync).WithName("ListApiKeys").WithSummary("List the API keys of a tenant (the caller's unless ?tenant= names another).");
        keys.MapDelete("/{keyId}", RevokeAsync).WithName("RevokeApiKey").WithSummary("Revoke an API key: it stops working at once on every silo.");
        return app;
    }

    public static async Task<Results<Created<IssuedApiKeyView>, ProblemHttpResult>> IssueAsync(
        IssueApiKeyRequest request, [AsParameters] ApiContext api, RoleCatalog roles, AuditTrail audit, TimeProvider clock)
    {
        api.Demand(Permissions.ApiKeysManage);
        var errors = new List<FieldError>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            errors.Add(new FieldError("name", $"is required, 1-{MaxNameLength} characters"));
        }

        var tenant = request.Tenant ?? api.Caller.Tenant;
        if (!GrainKeys.IsValidSegment(tenant))
        {
            errors.Add(new FieldError("tenant", "must be a non-empty name without '/'"));
        }
        else
        {
            DemandTenant(api, tenant);
        }

        var user = request.User ?? name;
        if (request.User is not null && !GrainKeys.IsValidSegment(user))
        {
            errors.Add(new FieldError("user", "must be a non-empty name without '/'"));
        }
        else if (request.User is null && name is not null && !GrainKeys.IsValidSegment(name))
        {
            errors.Add(new FieldError("user", "is needed when the name contains '/' (the user defaults to the name)"));
        }
        else if (user is not null && (user != api.Caller.User || tenant != api.Caller.Tenant))
        {
            // The key would own, read and steer that user's conversations: acting as someone else is a grant of its own.
            api.Demand(Permissions.UsersImpersonate);
        }

        if (request.Roles is not { Count: > 0 })
        {
            errors.Add(new FieldError("roles", "must name at least one role"));
        }
        else if (request.Roles.FirstOrDefault(r => !roles.Exists(r)) is { } unknown)
        {
            errors.Add(new FieldError("roles", $"'{unknown}' is not a role (built in: operator, admin, developer, user; more under Auth:Roles)"));
        }
        else
        {
            // A key grants no more than its issuer holds: managing keys is not a way to become admin.
            foreach (var permission in request.Roles.SelectMany(roles.PermissionsOf))
            {
                api.Demand(permission);
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var key = ApiKeys.New();
        var hash = ApiKeys.Hash(key);
        var info = await api.Grains.GetGrain<IApiKeyGrain>(hash).IssueAsync(new ApiKeyInfo
        {
            Id = ApiKeys.NewId(),
            Name = name!,
            Tenant = tenant,
            User = user!,
            Roles = [.. request.Roles!.Distinct(StringComparer.Ordinal)],
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = api.Caller.User,
        });
        await api.Grains.GetGrain<IApiKeyDirectoryGrain>(GrainKeys.ApiKeyDirectory).AddAsync(hash, info);
        await audit.ApiKeyIssuedAsync(api.Caller, info);
        return TypedResults.Created($"/admin/api-keys/{info.Id}", IssuedApiKeyView.From(info, key));
    }

    public static async Task<Ok<ApiKeyListView>> ListAsync(string? tenant, [AsParameters] ApiContext api)
    {
        api.Demand(Permissions.ApiKeysManage);
        DemandTenant(api, tenant ?? api.Caller.Tenant);
        return TypedResults.Ok(new ApiKeyListView(
            await api.Grains.GetGrain<IApiKeyDirectoryGrain>(GrainKeys.ApiKeyDirectory).ListAsync(tenant ?? api.Caller.Tenant)));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string keyId, [AsParameters] ApiContext api, AuditTrail audit)
    {
        api.Demand(Permissions.ApiKeysManage);
        var directory = api.Grains.GetGrain<IApiKeyDirectoryGrain>(GrainKeys.ApiKeyDirectory);
        // Another tenant's key is, to a caller who may not manage that tenant, a key that does not exist.
        if (await directory.GetAsync(keyId) is not { } key
            || (key.Tenant != api.Caller.Tenant && !api.Can(Permissions.TenantsManage))
            || await directory.RevokeAsync(keyId) is not { } revoked)
        {
            return Problems.For(ErrorCodes.ApiKeyNotFound, $"API key '{keyId}' was not found.");
        }

        await audit.ApiKeyRevokedAsync(api.Caller, revoked);
        return TypedResults.NoContent();
    }

    /// <summary>Keys of another tenant than the caller's need <see cref="Permissions.TenantsManage"/>.</summary>
    private static void DemandTenant(ApiContext api, string tenant)
    {
        if (tenant != api.Caller.Tenant)
        {
            api.Demand(Permissions.TenantsManage);
        }
    }
}
