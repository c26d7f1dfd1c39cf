using OpenCode.Runtime.Mcp;

namespace OpenCode.Runtime.Tests.Mcp;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Each_delay_lies_between_half_and_all_of_the_doubled_delay_up_to_the_cap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), new Random(7));

        for (var round = 0; round < 200; round++)
        {
            foreach (var (attempt, ceiling) in new[] { (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 10.0), (6, 10.0), (1000, 10.0) })
            {
                Assert.InRange(backoff.Delay(attempt).TotalSeconds, ceiling / 2, ceiling);
            }
        }
    }

    [Fact]
    public void The_jitter_spreads_the_delays_of_one_attempt()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(11));

        var delays = Enumerable.Range(0, 100).Select(_ => backoff.Delay(3).TotalSeconds).ToList();

        Assert.True(delays.Max() - delays.Min() > 1, $"delays {delays.Min():0.00}..{delays.Max():0.00} s are not spread");
        Assert.True(delays.Distinct().Count() > 90);
    }
}
