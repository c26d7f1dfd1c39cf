using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace OpenCode.Runtime.Audit;

/// <summary>
/// The cluster profile's audit log: <c>opencode_audit_log</c> in the grain state's PostgreSQL database (schema in
/// <c>Persistence/Postgres/004-audit-log.sql</c>, where triggers refuse updates, deletes and truncation). Records are
/// kept per Orleans service id, like grain state. A transient failure of an append is retried a few times; a
/// retried append whose first try did commit leaves the record twice (the log is at-least-once, never lossy).
/// </summary>
public sealed partial class PostgresAuditLog(string connectionString, string serviceId, ILogger<PostgresAuditLog> logger) : IAuditLog, IAsyncDisposable
{
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    private const string InsertSql = """
        INSERT INTO opencode_audit_log (service_id, at, tenant, actor, action, resource_type, resource_id, conversation_id, outcome, duration_ms, detail)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        RETURNING id
        """;

    private const string Columns = "id, at, tenant, actor, action, resource_type, resource_id, conversation_id, outcome, duration_ms, detail";

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public async Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        var record = entry.ForAppend();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return record with { Id = await InsertAsync(record, cancellationToken).ConfigureAwait(false) };
            }
            catch (NpgsqlException ex) when (ex.IsTransient && attempt < RetryDelays.Length)
            {
                LogAppendRetried(logger, record.Action, attempt + 1, ex.Message);
                await Task.Delay(RetryDelays[attempt], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        AuditPages.Checked(query);
        await using var command = _dataSource.CreateCommand();
        var sql = new StringBuilder($"SELECT {Columns} FROM opencode_audit_log WHERE service_id = @service AND tenant = @tenant");
        command.Parameters.AddWithValue("service", serviceId);
        command.Parameters.AddWithValue("tenant", query.Tenant);
        AuditQuerySql.AppendFilterAndPage(sql, query, "at", '@', at => at.ToUniversalTime(), (name, value) => command.Parameters.AddWithValue(name, value));
        command.CommandText = sql.ToString();

        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(AuditQuerySql.Entry(reader, reader.GetFieldValue<DateTimeOffset>(1)));
        }

        return AuditPages.From(entries, query.Limit);
    }

    private async Task<long> InsertAsync(AuditEntry record, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(InsertSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = record.At });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = record.Tenant });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = record.Actor });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = record.Action });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = record.ResourceType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = record.ResourceId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)record.ConversationId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = record.Outcome });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)record.DurationMs ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)record.Detail ?? DBNull.Value });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Appending an audit record ({Action}) failed (attempt {Attempt}), retrying: {Error}")]
    private static partial void LogAppendRetried(ILogger logger, string action, int attempt, string error);
}
