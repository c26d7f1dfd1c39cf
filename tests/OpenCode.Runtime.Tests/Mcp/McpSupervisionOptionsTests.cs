using Microsoft.Extensions.Configuration;
using OpenCode.Runtime.Mcp;

namespace OpenCode.Runtime.Tests.Mcp;

public sealed class McpSupervisionOptionsTests
{
    [Fact]
    public void Defaults_retry_after_1_s_doubling_to_60_s_ten_times_and_ping_idle_sessions_every_30_s()
    {
        var options = McpSupervisionOptions.From(new ConfigurationBuilder().Build());

        Assert.Equal(TimeSpan.FromSeconds(1), options.RetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), options.MaxRetryDelay);
        Assert.Equal(10, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(30), options.PingInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.PingTimeout);
    }

    [Fact]
    public void The_supervision_section_sets_every_value_and_zero_turns_pings_and_retries_off()
    {
        var options = McpSupervisionOptions.From(Configuration(new()
        {
            ["Mcp:Supervision:RetryDelaySeconds"] = "0.5",
            ["Mcp:Supervision:MaxRetryDelaySeconds"] = "120",
            ["Mcp:Supervision:MaxRetries"] = "0",
            ["Mcp:Supervision:PingIntervalSeconds"] = "0",
            ["Mcp:Supervision:PingTimeoutSeconds"] = "3",
        }));

        Assert.Equal(TimeSpan.FromSeconds(0.5), options.RetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(120), options.MaxRetryDelay);
        Assert.Equal(0, options.MaxRetries);
        Assert.Equal(TimeSpan.Zero, options.PingInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), options.PingTimeout);
    }

    [Fact]
    public void Unusable_values_fall_back_to_the_defaults()
    {
        var options = McpSupervisionOptions.From(Configuration(new()
        {
            ["Mcp:Supervision:RetryDelaySeconds"] = "0",
            ["Mcp:Supervision:MaxRetries"] = "-1",
            ["Mcp:Supervision:PingIntervalSeconds"] = "soon",
            ["Mcp:Supervision:PingTimeoutSeconds"] = "-2",
        }));

        Assert.Equal(new McpSupervisionOptions(), options);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
