using System.Diagnostics;
using Npgsql;
using OpenCode.Testing;

namespace OpenCode.Benchmarks;

/// <summary>
/// One durable commit from the load generator: an autocommitted 2 KB upsert of one row, like a grain write. Timed
/// between the gateway's turns, it is the floor under what each of a turn's commits can cost at that moment.
/// </summary>
public sealed class CommitProbe : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _upsert;

    private CommitProbe(NpgsqlConnection connection, NpgsqlCommand upsert)
    {
        _connection = connection;
        _upsert = upsert;
    }

    public static async Task<CommitProbe> StartAsync(PostgresDatabase database)
    {
        var connection = await database.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS commit_probe (id int PRIMARY KEY, payload bytea)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var upsert = new NpgsqlCommand("INSERT INTO commit_probe VALUES (1, @p) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload", connection);
        upsert.Parameters.AddWithValue("p", new byte[2048]);
        return new CommitProbe(connection, upsert);
    }

    public async Task<TurnResult> RunAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var rows = await _upsert.ExecuteNonQueryAsync();
        return new TurnResult(rows == 1, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The setting as this session sees it (the gateways' sessions see the same database defaults).</summary>
    public async Task<string> ShowAsync(string setting)
    {
        await using var show = new NpgsqlCommand($"SHOW {setting}", _connection);
        return (string)(await show.ExecuteScalarAsync())!;
    }

    /// <summary>WAL flushes the server has made (every durable commit makes one), once the statistics have caught up.</summary>
    public async Task<long> WalSyncsAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await using var query = new NpgsqlCommand("SELECT wal_sync FROM pg_stat_wal", _connection);
        return (long)(await query.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await _upsert.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
