using OpenCode.Abstractions;
using OpenCode.Runtime.Tests.Conversations;

namespace OpenCode.Runtime.Tests.Limits;

/// <summary>A tenant's tokens of a day: counted per tenant and per day, and durable.</summary>
[Collection(RuntimeClusterCollection.Name)]
public sealed class TenantTokensGrainTests(RuntimeCluster runtime)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task Tenants_and_days_are_counted_apart()
    {
        var tenant = LimitedRuntimeCluster.NewTenant();

        Assert.Equal(100, await Tokens(tenant, Today).AddAsync(100, 1000));
        Assert.Equal(150, await Tokens(tenant, Today).AddAsync(50, 1000));

        Assert.Equal(150, await Tokens(tenant, Today).GetSpentAsync());
        Assert.Equal(0, await Tokens(LimitedRuntimeCluster.NewTenant(), Today).GetSpentAsync());
        Assert.Equal(0, await Tokens(tenant, Today.AddDays(1)).GetSpentAsync());
    }

    [Fact]
    public async Task Spent_tokens_survive_the_grain_deactivating()
    {
        var spent = LimitedRuntimeCluster.NewTenant();
        var below = LimitedRuntimeCluster.NewTenant();
        // Reaching the budget is written at once; tokens below it are written when the grain deactivates.
        await Tokens(spent, Today).AddAsync(60, 50);
        await Tokens(below, Today).AddAsync(10, 1000);

        await runtime.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.Equal(60, await Tokens(spent, Today).GetSpentAsync());
        Assert.Equal(10, await Tokens(below, Today).GetSpentAsync());
    }

    private ITenantTokensGrain Tokens(string tenant, DateOnly day) => runtime.Grains.GetGrain<ITenantTokensGrain>(GrainKeys.TenantTokens(tenant, day));
}
