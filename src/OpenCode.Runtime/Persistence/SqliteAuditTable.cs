using System.Text;
using Microsoft.Data.Sqlite;
using OpenCode.Runtime.Audit;

namespace OpenCode.Runtime.Persistence;

/// <summary>
/// The audit log's table in the embedded profile's state file (<see cref="SqliteStateStore"/>): its schema, its
/// insert and its queries. Triggers refuse updates and deletes, so the file too keeps it append-only.
/// </summary>
internal static class SqliteAuditTable
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS audit_log (
            id              INTEGER PRIMARY KEY,
            at_us           INTEGER NOT NULL,
            tenant          TEXT    NOT NULL,
            actor           TEXT    NOT NULL,
            action          TEXT    NOT NULL,
            resource_type   TEXT    NOT NULL,
            resource_id     TEXT    NOT NULL,
            conversation_id TEXT    NULL,
            outcome         TEXT    NOT NULL,
            duration_ms     INTEGER NULL,
            detail          TEXT    NULL
        );
        CREATE INDEX IF NOT EXISTS audit_log_by_time ON audit_log (tenant, at_us, id);
        CREATE INDEX IF NOT EXISTS audit_log_by_actor ON audit_log (tenant, actor, at_us, id);
        CREATE INDEX IF NOT EXISTS audit_log_by_action ON audit_log (tenant, action, at_us, id);
        CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        """;

    public const string InsertSql = """
        INSERT INTO audit_log (at_us, tenant, actor, action, resource_type, resource_id, conversation_id, outcome, duration_ms, detail)
        VALUES ($at, $tenant, $actor, $action, $resource_type, $resource_id, $conversation_id, $outcome, $duration_ms, $detail)
        RETURNING id
        """;

    public static readonly (string Name, SqliteType Type)[] InsertParameters =
    [
        ("$at", SqliteType.Integer), ("$tenant", SqliteType.Text), ("$actor", SqliteType.Text), ("$action", SqliteType.Text),
        ("$resource_type", SqliteType.Text), ("$resource_id", SqliteType.Text), ("$conversation_id", SqliteType.Text),
        ("$outcome", SqliteType.Text), ("$duration_ms", SqliteType.Integer), ("$detail", SqliteType.Text),
    ];

    private const string Columns = "id, at_us, tenant, actor, action, resource_type, resource_id, conversation_id, outcome, duration_ms, detail";

    /// <summary>Runs the prepared insert (<see cref="InsertSql"/>, <see cref="InsertParameters"/>); returns the new row's id.</summary>
    public static long Insert(SqliteCommand insert, AuditEntry entry)
    {
        var parameters = insert.Parameters;
        parameters[0].Value = AuditCursor.ToUnixMicroseconds(entry.At);
        parameters[1].Value = entry.Tenant;
        parameters[2].Value = entry.Actor;
        parameters[3].Value = entry.Action;
        parameters[4].Value = entry.ResourceType;
        parameters[5].Value = entry.ResourceId;
        parameters[6].Value = (object?)entry.ConversationId ?? DBNull.Value;
        parameters[7].Value = entry.Outcome;
        parameters[8].Value = (object?)entry.DurationMs ?? DBNull.Value;
        parameters[9].Value = (object?)entry.Detail ?? DBNull.Value;
        return (long)insert.ExecuteScalar()!;
    }

    /// <summary>Reads one more record than the page holds, to know whether another page follows.</summary>
    public static List<AuditEntry> Query(SqliteConnection connection, AuditQuery query)
    {
        using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {Columns} FROM audit_log WHERE tenant = $tenant");
        command.Parameters.AddWithValue("$tenant", query.Tenant);
        AuditQuerySql.AppendFilterAndPage(
            sql, query, "at_us", '$', at => AuditCursor.ToUnixMicroseconds(at), (name, value) => command.Parameters.AddWithValue(name, value));
        command.CommandText = sql.ToString();

        var entries = new List<AuditEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            entries.Add(AuditQuerySql.Entry(reader, AuditCursor.FromUnixMicroseconds(reader.GetInt64(1))));
        }

        return entries;
    }
}
