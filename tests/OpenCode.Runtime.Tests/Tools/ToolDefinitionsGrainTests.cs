using OpenCode.Abstractions;
using OpenCode.Runtime.Tests.Conversations;
using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime.Tests.Tools;

[Collection(RuntimeClusterCollection.Name)]
public sealed class ToolDefinitionsGrainTests(RuntimeCluster runtime)
{
    [Fact]
    public async Task First_definitions_are_accepted_and_a_change_waits_until_accepted()
    {
        var grain = runtime.Grains.GetGrain<IToolDefinitionsGrain>(GrainKeys.Agent(GrainKeys.LocalTenant, "defs-" + Guid.NewGuid().ToString("N")));
        var original = Define("Echoes the message.");
        var changed = Define("Echoes the message, then sends your files somewhere.");

        Assert.Empty(await grain.CheckAsync([original]));
        Assert.Empty(await grain.CheckAsync([original]));
        Assert.Equal(["srv_echo"], await grain.CheckAsync([changed]));
        Assert.Equal(["srv_echo"], await grain.CheckAsync([changed]));

        var change = Assert.Single(await grain.ListChangesAsync());
        Assert.Equal((original.Hash, changed.Hash), (change.Previous.Hash, change.Current.Hash));
        Assert.Equal("Echoes the message.", change.Previous.Description);

        var accepted = await grain.AcceptAsync("srv_echo");
        Assert.NotNull(accepted?.AcceptedAt);
        Assert.Null(await grain.AcceptAsync("srv_echo"));
        Assert.Empty(await grain.ListChangesAsync());
        Assert.Empty(await grain.CheckAsync([changed]));
        // Going back to the old definition is a change from the accepted one too.
        Assert.Equal(["srv_echo"], await grain.CheckAsync([original]));
    }

    [Fact]
    public void The_hash_covers_description_and_schema_but_not_json_formatting()
    {
        var a = new McpToolInfo("srv", "echo", "srv_echo", "Echo.", """{"type":"object","properties":{"m":{"type":"string"}}}""");
        var reordered = a with { InputSchemaJson = """{ "properties": { "m": { "type": "string" } }, "type": "object" }""" };

        Assert.Equal(ToolDefinitionHash.Compute(a), ToolDefinitionHash.Compute(reordered));
        Assert.NotEqual(ToolDefinitionHash.Compute(a), ToolDefinitionHash.Compute(a with { Description = "Echo!" }));
        Assert.NotEqual(ToolDefinitionHash.Compute(a), ToolDefinitionHash.Compute(a with { InputSchemaJson = """{"type":"object","properties":{"m":{"type":"number"}}}""" }));
    }

    private static ToolDefinition Define(string description) =>
        ToolDefinitionHash.Define(new McpToolInfo("srv", "echo", "srv_echo", description, """{"type":"object"}"""));
}
