namespace OpenCode.Runtime.Audit;

/// <summary>What both stores do around a query: check it, and cut the extra record read off into the next cursor.</summary>
internal static class AuditPages
{
    public static AuditQuery Checked(AuditQuery query)
    {
        ArgumentException.ThrowIfNullOrEmpty(query.Tenant);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, AuditQuery.MaxLimit);
        return query;
    }

    /// <summary>The page from the <paramref name="limit"/> + 1 newest matching records: the extra one says another page follows.</summary>
    public static AuditPage From(List<AuditEntry> read, int limit)
    {
        if (read.Count <= limit)
        {
            return new AuditPage(read, null);
        }

        read.RemoveRange(limit, read.Count - limit);
        return new AuditPage(read, AuditCursor.After(read[^1]));
    }
}
