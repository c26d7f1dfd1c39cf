namespace OpenCode.Abstractions;

/// <summary>
/// The tokens (prompt plus completion) a tenant's models used on one UTC day (<c>Limits:TenantTokensPerDay</c>).
/// Key: <c>{tenant}/{yyyy-MM-dd}</c>. Durable: a spent budget stays spent across restarts.
/// </summary>
[Alias("OpenCode.ITenantTokensGrain")]
public interface ITenantTokensGrain : IGrainWithStringKey
{
    [Alias("GetSpent")]
    Task<long> GetSpentAsync();

    /// <summary>
    /// Adds a model step's tokens and returns the day's total. The total is written at once when it reaches
    /// <paramref name="budget"/>, so a spent budget is never lost; below it writes are batched.
    /// </summary>
    [Alias("Add")]
    Task<long> AddAsync(long tokens, long budget);
}
