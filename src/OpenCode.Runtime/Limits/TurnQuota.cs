using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenCode.Abstractions;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Limits;

/// <summary>
/// The server's limits on turns, as conversations apply them: the turns a user runs at the same time (slots in the
/// user's <see cref="IRunningTurnsGrain"/>) and the tokens a tenant's models use per UTC day (its
/// <see cref="ITenantTokensGrain"/> of the day). A limit of 0 costs nothing: no grain is called for it.
/// Bookkeeping that fails after a turn was admitted (renewing or releasing a slot, charging tokens) is logged and
/// does not fail the turn: the slot's lease and the next charge make up for it.
/// </summary>
public sealed partial class TurnQuota(IGrainFactory grains, IOptions<LimitsOptions> options, TimeProvider clock, ILogger<TurnQuota> logger)
{
    private readonly int _maxTurns = options.Value.MaxConcurrentTurnsPerUser;
    private readonly long _tokensPerDay = options.Value.TenantTokensPerDay;

    /// <summary>Whether any limit applies to turns; when not, a turn starts without asking.</summary>
    public bool Enabled => _maxTurns > 0 || _tokensPerDay > 0;

    /// <summary>
    /// Whether a new turn may start: null when the tenant has tokens left today and the user a free slot (which the
    /// turn now holds for <paramref name="lease"/>), else why not (<c>quota_exceeded</c> or <c>too_many_turns</c>).
    /// </summary>
    public async Task<TurnError?> AdmitAsync(string tenant, string user, string turnId, TimeSpan lease)
    {
        if (_tokensPerDay > 0 && await Tokens(tenant).GetSpentAsync() >= _tokensPerDay)
        {
            return QuotaExceeded();
        }

        if (_maxTurns > 0 && !await Turns(tenant, user).TryAcquireAsync(turnId, _maxTurns, lease))
        {
            return new TurnError(ErrorCodes.TooManyTurns, string.Create(
                CultureInfo.InvariantCulture,
                $"You already run {_maxTurns} turn(s) at the same time (Limits:MaxConcurrentTurnsPerUser); try again when one has ended."));
        }

        return null;
    }

    /// <summary>A turn that goes on after a pause or a restart holds its slot again, whatever the count: it was admitted.</summary>
    public async Task RenewAsync(string tenant, string user, string turnId, TimeSpan lease)
    {
        if (_maxTurns == 0)
        {
            return;
        }

        try
        {
            await Turns(tenant, user).RenewAsync(turnId, lease);
        }
        catch (Exception ex)
        {
            LogBookkeepingFailed(logger, MaskedException.From(ex), "renewing the slot of", turnId);
        }
    }

    public async Task ReleaseAsync(string tenant, string user, string turnId)
    {
        if (_maxTurns == 0)
        {
            return;
        }

        try
        {
            await Turns(tenant, user).ReleaseAsync(turnId);
        }
        catch (Exception ex)
        {
            LogBookkeepingFailed(logger, MaskedException.From(ex), "releasing the slot of", turnId);
        }
    }

    /// <summary>
    /// Charges a model step's tokens to the tenant's day. Returns the error that ends the turn before its next model
    /// step when the day's budget is now spent, else null.
    /// </summary>
    public ValueTask<TurnError?> ChargeAsync(string tenant, string turnId, TokenUsage usage)
    {
        var tokens = usage.PromptTokens + usage.CompletionTokens;
        return _tokensPerDay > 0 && tokens > 0 ? ChargeTokensAsync(tenant, turnId, tokens) : ValueTask.FromResult<TurnError?>(null);
    }

    private async ValueTask<TurnError?> ChargeTokensAsync(string tenant, string turnId, long tokens)
    {
        try
        {
            return await Tokens(tenant).AddAsync(tokens, _tokensPerDay) >= _tokensPerDay ? QuotaExceeded() : null;
        }
        catch (Exception ex)
        {
            LogBookkeepingFailed(logger, MaskedException.From(ex), "charging the tokens of", turnId);
            return null;
        }
    }

    private TurnError QuotaExceeded() => new(ErrorCodes.QuotaExceeded, string.Create(
        CultureInfo.InvariantCulture,
        $"The tenant used its {_tokensPerDay} tokens of today (Limits:TenantTokensPerDay); turns can start again after midnight UTC."));

    private IRunningTurnsGrain Turns(string tenant, string user) => grains.GetGrain<IRunningTurnsGrain>(GrainKeys.RunningTurns(tenant, user));

    private ITenantTokensGrain Tokens(string tenant) =>
        grains.GetGrain<ITenantTokensGrain>(GrainKeys.TenantTokens(tenant, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Limits: {Action} turn {TurnId} failed; the turn goes on")]
    private static partial void LogBookkeepingFailed(ILogger logger, Exception exception, string action, string turnId);
}
