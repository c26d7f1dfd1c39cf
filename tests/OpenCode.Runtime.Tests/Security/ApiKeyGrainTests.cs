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
}
