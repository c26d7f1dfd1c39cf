namespace OpenCode.Runtime.Audit;

/// <summary>
/// Which records of one tenant to read, newest first: <see cref="From"/> inclusive, <see cref="To"/> exclusive, and
/// the page after <see cref="After"/> (the previous page's <see cref="AuditPage.Next"/>).
/// </summary>
public sealed record AuditQuery
{
    public const int MaxLimit = 500;

    public required string Tenant { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public string? Actor { get; init; }

    public string? Action { get; init; }

    /// <summary>Records per page, 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 50;

    public AuditCursor? After { get; init; }
}
