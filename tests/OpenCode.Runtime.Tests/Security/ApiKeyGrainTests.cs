using OpenCode.Abstractions;
using OpenCode.Runtime.Tests.Conversations;

namespace OpenCode.Runtime.Tests.Security;

[Collection(RuntimeClusterCollection.Name)]
public sealed class ApiKeyGrainTests(RuntimeCluster runtime)
{
    [Fact]
    public async Task A_made_up_key_leaves_memory_once_asked_while_an_issued_key_stays_active()
    {
        var management = runtime.Grains.GetGrain<IManagementGrain>(0);
        var madeUp = runtime.Grains.GetGrain<IApiKeyGrain>("made-up-" + Guid.NewGuid().ToString("N"));
        var issued = runtime.Grains.GetGrain<IApiKeyGrain>("issued-" + Guid.NewGuid().ToString("N"));
        await issued.IssueAsync(new ApiKeyInfo { Id = "key-1", Name = "ci", Tenant = GrainKeys.LocalTenant, User = "ci", Roles = ["user"] });

        Assert.Null(await madeUp.GetAsync());
        Assert.NotNull(await issued.GetAsync());

        // Deactivation runs after the call has answered.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await management.GetActivationAddress(madeUp) is not null)
        {
            await Task.Delay(20, deadline.Token);
        }

        Assert.NotNull(await management.GetActivationAddress(issued));
    }

    [Fact]
    public async Task Roles_set_on_a_key_survive_deactivation_while_a_revoked_key_keeps_its_own()
    {
        var active = runtime.Grains.GetGrain<IApiKeyGrain>("active-" + Guid.NewGuid().ToString("N"));
        var revoked = runtime.Grains.GetGrain<IApiKeyGrain>("revoked-" + Guid.NewGuid().ToString("N"));
        await active.IssueAsync(Key("key-active", "admin"));
        await revoked.IssueAsync(Key("key-revoked", "admin"));
        var revokedAt = (await revoked.RevokeAsync(DateTimeOffset.UnixEpoch))!.RevokedAt;

        var changed = (await active.SetRolesAsync(["operator"]))!;
        Assert.Equal(["operator"], changed.Key.Roles);
        Assert.Equal(["admin"], changed.PreviousRoles);
        // A second caller (another silo upgrading the same key) learns that it changed nothing.
        var again = (await active.SetRolesAsync(["operator"]))!;
        Assert.Equal(["operator"], again.Key.Roles);
        Assert.Null(again.PreviousRoles);
        var unchanged = (await revoked.SetRolesAsync(["operator"]))!;
        Assert.Equal(["admin"], unchanged.Key.Roles);
        Assert.Null(unchanged.PreviousRoles);
        Assert.Null(await runtime.Grains.GetGrain<IApiKeyGrain>("made-up-" + Guid.NewGuid().ToString("N")).SetRolesAsync(["operator"]));

        await runtime.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var reread = (await active.GetAsync())!;
        Assert.Equal(["operator"], reread.Roles);
        Assert.False(reread.IsRevoked);
        var stillRevoked = (await revoked.GetAsync())!;
        Assert.Equal(["admin"], stillRevoked.Roles);
        Assert.Equal(revokedAt, stillRevoked.RevokedAt);
    }

    [Fact]
    public async Task Roles_set_through_the_directory_are_what_it_lists_and_what_the_key_grants()
    {
        var hash = "listed-" + Guid.NewGuid().ToString("N");
        var key = Key("key-" + hash, "admin");
        var directory = runtime.Grains.GetGrain<IApiKeyDirectoryGrain>(GrainKeys.ApiKeyDirectory);
        await directory.AddAsync(hash, await runtime.Grains.GetGrain<IApiKeyGrain>(hash).IssueAsync(key));

        var change = (await directory.SetRolesAsync(key.Id, ["operator"]))!;
        Assert.Equal(["operator"], change.Key.Roles);
        Assert.Equal(["admin"], change.PreviousRoles);
        Assert.Null((await directory.SetRolesAsync(key.Id, ["operator"]))!.PreviousRoles);
        Assert.Equal(["operator"], (await directory.GetAsync(key.Id))!.Roles);
        Assert.Equal(["operator"], (await runtime.Grains.GetGrain<IApiKeyGrain>(hash).GetAsync())!.Roles);
        Assert.Null(await directory.SetRolesAsync("key-unknown-" + hash, ["operator"]));
    }

    private static ApiKeyInfo Key(string id, string role) =>
        new() { Id = id, Name = "bootstrap-admin", Tenant = GrainKeys.LocalTenant, User = "bootstrap-admin", Roles = [role] };
}
