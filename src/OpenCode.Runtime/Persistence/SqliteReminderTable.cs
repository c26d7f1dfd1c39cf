using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace OpenCode.Runtime.Persistence;

/// <summary>
/// The embedded profile's reminder table: a SQLite file of its own, so a reminder registered before the process
/// died fires after it restarts on the same data directory. The etag is the row's version as a string.
/// </summary>
/// <remarks>
/// A separate file from the grain state: that store's single writer commits in groups and must never wait for
/// SQLite's write lock. Reminders change a few times per turn, so one connection behind a lock is enough.
/// </remarks>
public sealed class SqliteReminderTable(IOptions<SqliteReminderTableOptions> options) : IReminderTable, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS reminders (
            grain_id      TEXT    NOT NULL,
            reminder_name TEXT    NOT NULL,
            grain_hash    INTEGER NOT NULL,
            start_at      INTEGER NOT NULL,
            period        INTEGER NOT NULL,
            version       INTEGER NOT NULL,
            PRIMARY KEY (grain_id, reminder_name)
        );
        CREATE INDEX IF NOT EXISTS reminders_by_hash ON reminders (grain_hash);
        """;

    private const string Columns = "grain_id, reminder_name, start_at, period, version";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;

    public Task Init() => Run(_ => { });

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        Query($"SELECT {Columns} FROM reminders WHERE grain_id = $grain", c => c.Parameters.AddWithValue("$grain", grainId.ToString()));

    /// <summary>The ring range (<paramref name="begin"/>, <paramref name="end"/>], wrapping past zero when begin ≥ end.</summary>
    public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        Query(
            begin < end
                ? $"SELECT {Columns} FROM reminders WHERE grain_hash > $begin AND grain_hash <= $end"
                : $"SELECT {Columns} FROM reminders WHERE grain_hash > $begin OR grain_hash <= $end",
            c =>
            {
                c.Parameters.AddWithValue("$begin", (long)begin);
                c.Parameters.AddWithValue("$end", (long)end);
            });

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        (await Query(
            $"SELECT {Columns} FROM reminders WHERE grain_id = $grain AND reminder_name = $name",
            c =>
            {
                c.Parameters.AddWithValue("$grain", grainId.ToString());
                c.Parameters.AddWithValue("$name", reminderName);
            })).Reminders.FirstOrDefault();

    public Task<string?> UpsertRow(ReminderEntry entry) => Run<string?>(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO reminders (grain_id, reminder_name, grain_hash, start_at, period, version)
            VALUES ($grain, $name, $hash, $start, $period, 1)
            ON CONFLICT (grain_id, reminder_name) DO UPDATE
                SET start_at = excluded.start_at, period = excluded.period, version = version + 1
            RETURNING version
            """;
        command.Parameters.AddWithValue("$grain", entry.GrainId.ToString());
        command.Parameters.AddWithValue("$name", entry.ReminderName);
        command.Parameters.AddWithValue("$hash", (long)entry.GrainId.GetUniformHashCode());
        command.Parameters.AddWithValue("$start", entry.StartAt.ToUniversalTime().Ticks);
        command.Parameters.AddWithValue("$period", entry.Period.Ticks);
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    });

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => Run(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM reminders WHERE grain_id = $grain AND reminder_name = $name AND version = $version";
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$name", reminderName);
        command.Parameters.AddWithValue("$version", long.TryParse(eTag, CultureInfo.InvariantCulture, out var version) ? version : -1);
        return command.ExecuteNonQuery() == 1;
    });

    public Task TestOnlyClearTable() => Run(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM reminders";
        command.ExecuteNonQuery();
    });

    public void Dispose()
    {
        _connection?.Dispose();
        _gate.Dispose();
    }

    private Task<ReminderTableData> Query(string sql, Action<SqliteCommand> bind) => Run(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        using var reader = command.ExecuteReader();
        var entries = new List<ReminderEntry>();
        while (reader.Read())
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
                Period = TimeSpan.FromTicks(reader.GetInt64(3)),
                ETag = reader.GetInt64(4).ToString(CultureInfo.InvariantCulture),
            });
        }

        return new ReminderTableData(entries);
    });

    private Task Run(Action<SqliteConnection> work) => Run(connection =>
    {
        work(connection);
        return true;
    });

    private async Task<T> Run<T>(Func<SqliteConnection, T> work)
    {
        await _gate.WaitAsync();
        try
        {
            return work(_connection ??= Open(options.Value.DatabasePath));
        }
        finally
        {
            _gate.Release();
        }
    }

    private static SqliteConnection Open(string path)
    {
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; " + Schema;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
