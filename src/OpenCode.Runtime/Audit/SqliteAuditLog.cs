using OpenCode.Runtime.Persistence;

namespace OpenCode.Runtime.Audit;

/// <summary>
/// The embedded profile's audit log: a table of the grain state's SQLite file. Appends go through that store's
/// single writer and join its group commits (a second writer would wait for SQLite's write lock, and stall the
/// grain writes behind it); queries use its read connections.
/// </summary>
public sealed class SqliteAuditLog(SqliteGrainStorage storage) : IAuditLog
{
    public async Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        var record = entry.ForAppend();
        // Once queued the append is not abandoned: the caller's cancellation cannot make it half-happen.
        return record with { Id = await storage.Store.AppendAuditAsync(record).ConfigureAwait(false) };
    }

    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) =>
        AuditPages.From(await storage.Store.QueryAuditAsync(AuditPages.Checked(query), cancellationToken).ConfigureAwait(false), query.Limit);
}
