using System.Globalization;

namespace OpenCode.Runtime.Audit;

/// <summary>
/// Where a page of the audit log ended: the last record's time and id (records are ordered by both, newest first).
/// Written as <c>{microseconds since the Unix epoch}.{id}</c>.
/// </summary>
public readonly record struct AuditCursor(DateTimeOffset At, long Id)
{
    public static AuditCursor After(AuditEntry entry) => new(entry.At, entry.Id);

    public static bool TryParse(string? text, out AuditCursor cursor)
    {
        cursor = default;
        var dot = text?.IndexOf('.') ?? -1;
        if (text is null || dot <= 0
            || !long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
            || !long.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || micros > MaxMicroseconds)
        {
            return false;
        }

        cursor = new AuditCursor(FromUnixMicroseconds(micros), id);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ToUnixMicroseconds(At)}.{Id}");

    /// <summary>The audit log's resolution: PostgreSQL keeps microseconds, and both stores keep the same value.</summary>
    public static long ToUnixMicroseconds(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromUnixMicroseconds(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);

    /// <summary><paramref name="at"/> in UTC, cut to whole microseconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) => FromUnixMicroseconds(ToUnixMicroseconds(at));

    private static readonly long MaxMicroseconds = ToUnixMicroseconds(DateTimeOffset.MaxValue);
}
