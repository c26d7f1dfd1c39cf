using System.Diagnostics;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Tests.Timing;

public sealed class CoarseDeadlineTests
{
    [Fact]
    public async Task A_started_deadline_cancels_its_token_once_passed_and_no_sooner()
    {
        using var deadline = new CoarseDeadline(CancellationToken.None);
        var started = Stopwatch.StartNew();
        deadline.Start(TimeSpan.FromMilliseconds(300));

        await WaitForCancellationAsync(deadline.Token, TimeSpan.FromSeconds(10));

        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
        Assert.True(deadline.IsSpent);
    }

    [Fact]
    public async Task A_stopped_deadline_cancels_nothing()
    {
        using var deadline = new CoarseDeadline(CancellationToken.None);
        deadline.Start(TimeSpan.FromMilliseconds(100));
        deadline.Stop();

        // Several ticks of the ticker go by.
        await Task.Delay(CoarseTicker.Resolution * 5);
        Assert.False(deadline.IsSpent);
    }

    [Fact]
    public async Task The_owner_cancelling_cancels_the_token()
    {
        using var owner = new CancellationTokenSource();
        using var deadline = new CoarseDeadline(owner.Token);
        deadline.Start(TimeSpan.FromMinutes(5));

        await owner.CancelAsync();
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    private static async Task WaitForCancellationAsync(CancellationToken token, TimeSpan timeout)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = token.Register(() => cancelled.TrySetResult());
        await cancelled.Task.WaitAsync(timeout);
    }
}
