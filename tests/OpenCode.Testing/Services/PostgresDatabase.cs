using Npgsql;

namespace OpenCode.Testing;

/// <summary>A new, empty database of its own on the tests' PostgreSQL server, dropped on dispose.</summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private PostgresDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    /// <summary>The server's connection string pointing at this database.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var name = "opencode_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var server = await OpenServerAsync())
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", server);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(TestServices.PostgresConnectionString) { Database = name }.ConnectionString;
        return new PostgresDatabase(name, connectionString);
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Runs <paramref name="sql"/> and returns the first column of the first row.</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        // FORCE ends the sessions still open on it (this process's pool, gateway processes that were killed).
        await using (var pooled = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var server = await OpenServerAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<NpgsqlConnection> OpenServerAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestServices.PostgresConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
