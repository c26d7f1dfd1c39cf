namespace OpenCode.Abstractions;

/// <summary>
/// A short-lived, single-use ticket that lets a browser open <c>/ws</c> without putting a long-lived credential in
/// the URL. Key: the SHA-256 of the ticket (random, unguessable), never the ticket itself, which would show wherever
/// grain ids do. Kept in memory only: a ticket lost with a silo is simply asked for again.
/// </summary>
[Alias("OpenCode.IWebSocketTicketGrain")]
public interface IWebSocketTicketGrain : IGrainWithStringKey
{
    [Alias("Issue")]
    Task IssueAsync(CallerIdentity caller, DateTimeOffset expiresAt);

    /// <summary>The caller the ticket was issued to, once; null when unknown, used or expired.</summary>
    [Alias("Redeem")]
    Task<CallerIdentity?> RedeemAsync();
}
