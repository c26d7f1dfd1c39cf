namespace OpenCode.Runtime.Audit;

/// <summary>
/// The append-only audit log, a table in the same store as grain state: the SQLite file of the embedded profile, or
/// PostgreSQL in the cluster profile (where the database itself refuses updates and deletes). Not a grain: every
/// tool call appends, and a per-tenant grain would be a singleton on that path.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends <paramref name="entry"/> durably; returns it as stored (with its id, its time cut to microseconds).</summary>
    Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>One page of a tenant's records, newest first.</summary>
    Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);
}
