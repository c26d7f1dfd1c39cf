using OpenCode.Abstractions;

namespace OpenCode.Runtime.Security;

/// <summary>A single-use WebSocket ticket, in memory only; it leaves as soon as it is redeemed or expires.</summary>
public sealed class WebSocketTicketGrain(TimeProvider clock) : Grain, IWebSocketTicketGrain
{
    private CallerIdentity? _caller;
    private DateTimeOffset _expiresAt;

    public Task IssueAsync(CallerIdentity caller, DateTimeOffset expiresAt)
    {
        if (_caller is not null)
        {
            throw new InvalidOperationException("The ticket was issued already.");
        }

        _caller = caller;
        _expiresAt = expiresAt;
        DelayDeactivation(expiresAt - clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task<CallerIdentity?> RedeemAsync()
    {
        var caller = clock.GetUtcNow() < _expiresAt ? _caller : null;
        _caller = null;
        _expiresAt = DateTimeOffset.MinValue;
        DeactivateOnIdle();
        return Task.FromResult(caller);
    }
}
