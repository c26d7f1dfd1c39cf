using System.Globalization;
using OpenCode.Runtime.Tests.Conversations;

namespace OpenCode.Runtime.Tests.Limits;

/// <summary>
/// A runtime cluster with the turn limits on: one turn at a time per user and a token budget per tenant and day.
/// Tests use tenants of their own, so their turns and budgets do not meet.
/// </summary>
public sealed class LimitedRuntimeCluster : IAsyncLifetime
{
    public const long TokensPerDay = 1000;

    public RuntimeCluster Runtime { get; } = new(new Dictionary<string, string>
    {
        ["Limits:MaxConcurrentTurnsPerUser"] = "1",
        ["Limits:TenantTokensPerDay"] = TokensPerDay.ToString(CultureInfo.InvariantCulture),
    });

    public static string NewTenant() => "tenant-" + Guid.NewGuid().ToString("N")[..10];

    public Task InitializeAsync() => Runtime.InitializeAsync();

    public Task DisposeAsync() => Runtime.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class LimitedRuntimeClusterCollection : ICollectionFixture<LimitedRuntimeCluster>
{
    public const string Name = "limited runtime cluster";
}
