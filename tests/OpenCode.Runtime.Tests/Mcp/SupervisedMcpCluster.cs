namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>
/// An MCP cluster whose supervision runs on a test's time scale: idle sessions pinged every second, reconnects after
/// 0.2 s doubling up to 2 s, and <see cref="MaxRetries"/> attempts before giving up.
/// </summary>
public sealed class SupervisedMcpCluster() : McpCluster(new Dictionary<string, string?>
{
    ["Mcp:Supervision:PingIntervalSeconds"] = "1",
    ["Mcp:Supervision:PingTimeoutSeconds"] = "5",
    ["Mcp:Supervision:RetryDelaySeconds"] = "0.2",
    ["Mcp:Supervision:MaxRetryDelaySeconds"] = "2",
    ["Mcp:Supervision:MaxRetries"] = MaxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    public const int MaxRetries = 12;
}

[CollectionDefinition(Name)]
public sealed class SupervisedMcpClusterCollection : ICollectionFixture<SupervisedMcpCluster>
{
    public const string Name = "supervised MCP cluster";
}
