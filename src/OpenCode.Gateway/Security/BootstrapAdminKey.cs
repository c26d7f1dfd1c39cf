using Microsoft.Extensions.Options;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api;

namespace OpenCode.Gateway.Security;

/// <summary>
/// Creates the key of <c>Auth:BootstrapAdminKey</c> when the silo becomes active, unless it exists. Its id comes from
/// its hash, so every silo creates the same key, and a key revoked once stays revoked. It is the operator's own first
/// key, the one that onboards tenants, so it holds <see cref="Role.Operator"/>; a key an earlier version issued with other
/// roles (<see cref="Role.Admin"/>, which no longer reaches other tenants) is given that role at start, recorded as
/// <c>apikey.roles_changed</c>. The silo that creates it records <c>apikey.issued</c> by the operator's configuration.
/// </summary>
public sealed partial class BootstrapAdminKey(
    IOptions<AuthOptions> options, IGrainFactory grains, AuditTrail audit, TimeProvider clock, ILogger<BootstrapAdminKey> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(BootstrapAdminKey), ServiceLifecycleStage.Active, EnsureAsync);

    private async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (options.Value.BootstrapAdminKey is not { Length: > 0 } key)
        {
            return;
        }

        var hash = ApiKeys.Hash(key);
        var createdAt = clock.GetUtcNow();
        var issued = await grains.GetGrain<IApiKeyGrain>(hash).IssueAsync(new ApiKeyInfo
        {
            Id = "key-" + hash[..12],
            Name = "bootstrap-admin",
            Tenant = options.Value.DefaultTenant,
            User = "bootstrap-admin",
            Roles = [Role.Operator],
            CreatedAt = createdAt,
        });
        var directory = grains.GetGrain<IApiKeyDirectoryGrain>(GrainKeys.ApiKeyDirectory);
        await directory.AddAsync(hash, issued);
        // The key grain keeps the first issue: only the silo whose time it kept created the key.
        if (issued.CreatedAt == createdAt)
        {
            await audit.ApiKeyIssuedByConfigurationAsync(issued);
        }
        else if (NeedsOperatorRole(issued))
        {
            // Through the directory, so the admin API lists the roles the key now holds.
            var change = await directory.SetRolesAsync(issued.Id, [Role.Operator]);
            // Unchanged when the key was revoked meanwhile, or another silo upgraded it first.
            if (change is { PreviousRoles: { } previous })
            {
                await audit.ApiKeyRolesChangedByConfigurationAsync(previous, change.Key);
                LogBootstrapKeyRolesChanged(logger, change.Key.Id, string.Join(",", previous), string.Join(",", change.Key.Roles));
            }

            issued = change?.Key ?? issued;
        }

        LogBootstrapKey(logger, issued.Id, issued.Tenant, issued.IsRevoked ? "revoked" : "active");
    }

    /// <summary>Whether a stored bootstrap key lacks exactly the operator role; a revoked key stays as it was revoked.</summary>
    internal static bool NeedsOperatorRole(ApiKeyInfo key) => !key.IsRevoked && key.Roles is not [Role.Operator];

    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrap admin key {KeyId} of tenant {Tenant} is {State}")]
    private static partial void LogBootstrapKey(ILogger logger, string keyId, string tenant, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrap admin key {KeyId} held roles {PreviousRoles}; it now holds {Roles}")]
    private static partial void LogBootstrapKeyRolesChanged(ILogger logger, string keyId, string previousRoles, string roles);
}
