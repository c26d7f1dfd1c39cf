using OpenCode.Abstractions;
using OpenCode.Runtime.Tests.Conversations;

namespace OpenCode.Runtime.Tests.Agents;

[Collection(RuntimeClusterCollection.Name)]
public sealed class AgentGrainTests(RuntimeCluster runtime)
{
    [Fact]
    public async Task Every_update_is_a_new_version_and_old_versions_stay_readable()
    {
        var created = await runtime.CreateAgentAsync();
        var grain = runtime.Agent(created.Id);

        var updated = await grain.UpdateAsync(created.Config with { Instructions = "Version two." });

        Assert.Equal(2, updated.Version);
        Assert.Equal(created.CreatedAt, updated.CreatedAt);
        Assert.Equal("Be brief.", (await grain.GetVersionAsync(1))!.Config.Instructions);
        Assert.Equal("Version two.", (await grain.GetVersionAsync(2))!.Config.Instructions);
        Assert.Null(await grain.GetVersionAsync(3));
    }

    [Fact]
    public async Task Upsert_writes_a_version_only_when_the_configuration_changes()
    {
        var created = await runtime.CreateAgentAsync();
        var grain = runtime.Agent(created.Id);

        var same = await grain.UpsertAsync(created.Config);
        var changed = await grain.UpsertAsync(created.Config with { Name = "Changed" });

        Assert.Equal((1, false, false), (same.Agent.Version, same.Changed, same.Created));
        Assert.Equal((2, true, false), (changed.Agent.Version, changed.Changed, changed.Created));
    }

    [Fact]
    public async Task Upsert_says_when_it_created_the_agent_a_deleted_one_included()
    {
        var created = await runtime.CreateAgentAsync();
        var grain = runtime.Agent(created.Id);
        Assert.True(await grain.DeleteAsync());

        var again = await grain.UpsertAsync(created.Config);
        var fresh = await runtime.Agent(created.Id + "-new").UpsertAsync(created.Config);

        Assert.Equal((2, true, true), (again.Agent.Version, again.Changed, again.Created));
        Assert.Equal((1, true, true), (fresh.Agent.Version, fresh.Changed, fresh.Created));
    }

    [Fact]
    public async Task A_recreated_agent_continues_the_version_numbers()
    {
        var created = await runtime.CreateAgentAsync();
        var grain = runtime.Agent(created.Id);

        Assert.True(await grain.DeleteAsync());
        Assert.Null(await grain.GetAsync());
        var again = await grain.CreateAsync(created.Config);

        Assert.Equal(2, again.Version);
        Assert.Equal("Be brief.", (await grain.GetVersionAsync(1))!.Config.Instructions);
    }

    [Fact]
    public async Task Invalid_configuration_leaves_the_agent_as_it_was()
    {
        var created = await runtime.CreateAgentAsync();
        var grain = runtime.Agent(created.Id);

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.UpdateAsync(created.Config with { Name = " " }));

        Assert.Equal("name", error.Errors.Single().Field);
        Assert.Equal(1, (await grain.GetAsync())!.Version);
    }

    [Fact]
    public async Task The_directory_lists_created_agents_and_forgets_deleted_ones()
    {
        var kept = await runtime.CreateAgentAsync();
        var deleted = await runtime.CreateAgentAsync();
        await runtime.Agent(deleted.Id).DeleteAsync();

        var listed = await runtime.Grains.GetGrain<IAgentDirectoryGrain>(GrainKeys.LocalTenant).ListAsync();

        Assert.Contains(listed, a => a.Id == kept.Id && a.Version == 1);
        Assert.DoesNotContain(listed, a => a.Id == deleted.Id);
    }
}
