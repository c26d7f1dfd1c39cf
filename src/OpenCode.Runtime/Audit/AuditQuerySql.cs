using System.Data.Common;
using System.Text;

namespace OpenCode.Runtime.Audit;

/// <summary>
/// The conditions, order and limit of an audit query, for both stores: they differ only in the time column, how a
/// time is stored and how parameters are named.
/// </summary>
internal static class AuditQuerySql
{
    /// <summary>Appends to <paramref name="sql"/> and adds each value through <paramref name="add"/>; reads one record more than the page.</summary>
    public static void AppendFilterAndPage(
        StringBuilder sql, AuditQuery query, string timeColumn, char prefix, Func<DateTimeOffset, object> time, Action<string, object> add)
    {
        void Condition(string condition, string name, object value)
        {
            sql.Append(" AND ").Append(condition.Replace("?", prefix + name, StringComparison.Ordinal));
            add(prefix + name, value);
        }

        if (query.From is { } from)
        {
            Condition($"{timeColumn} >= ?", "from", time(from));
        }

        if (query.To is { } to)
        {
            Condition($"{timeColumn} < ?", "to", time(to));
        }

        if (query.Actor is { } actor)
        {
            Condition("actor = ?", "actor", actor);
        }

        if (query.Action is { } action)
        {
            Condition("action = ?", "action", action);
        }

        if (query.After is { } after)
        {
            sql.Append($" AND ({timeColumn}, id) < ({prefix}after_at, {prefix}after_id)");
            add(prefix + "after_at", time(after.At));
            add(prefix + "after_id", after.Id);
        }

        sql.Append($" ORDER BY {timeColumn} DESC, id DESC LIMIT {prefix}limit");
        add(prefix + "limit", query.Limit + 1);
    }

    /// <summary>The record at the reader's row, selected in the stores' common column order; <paramref name="at"/> read by the store.</summary>
    public static AuditEntry Entry(DbDataReader reader, DateTimeOffset at) => new()
    {
        Id = reader.GetInt64(0),
        At = at,
        Tenant = reader.GetString(2),
        Actor = reader.GetString(3),
        Action = reader.GetString(4),
        ResourceType = reader.GetString(5),
        ResourceId = reader.GetString(6),
        ConversationId = reader.IsDBNull(7) ? null : reader.GetString(7),
        Outcome = reader.GetString(8),
        DurationMs = reader.IsDBNull(9) ? null : reader.GetInt64(9),
        Detail = reader.IsDBNull(10) ? null : reader.GetString(10),
    };
}
