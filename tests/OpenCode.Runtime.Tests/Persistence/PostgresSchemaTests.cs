using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpenCode.Runtime.Persistence;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Persistence;

/// <summary>The project's PostgreSQL schema, applied by <see cref="PostgresSchema"/> to real databases of their own.</summary>
public sealed class PostgresSchemaTests : IAsyncLifetime
{
    /// <summary>Every query the ADO.NET grain storage and reminder table read from <c>OrleansQuery</c> at start-up.</summary>
    private static readonly string[] ProviderQueryKeys =
    [
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "UpsertReminderRowKey", "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    private PostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_fresh_empty_database_gets_every_script_table_and_provider_query()
    {
        Assert.Equal(0L, await _database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));

        var applied = await Schema().ApplyAsync();

        Assert.Equal(PostgresSchema.Scripts.Select(s => s.Name), applied);
        Assert.Equal(["001-orleans-queries.sql", "002-grain-state.sql", "003-reminders.sql", "004-audit-log.sql"], applied);
        foreach (var table in new[] { "orleansquery", "opencode_grain_state", "opencode_reminders", "opencode_audit_log", "opencode_schema_history" })
        {
            Assert.True(await _database.ScalarAsync<bool>($"SELECT to_regclass('{table}') IS NOT NULL"), $"no table {table}");
        }

        var keys = await QueryKeysAsync();
        Assert.Equal(ProviderQueryKeys.Order(StringComparer.Ordinal), keys);
    }

    [Fact]
    public async Task A_second_start_applies_nothing_and_changes_nothing()
    {
        await Schema().ApplyAsync();
        var before = await CatalogSnapshotAsync();

        var applied = await Schema().ApplyAsync();

        Assert.Empty(applied);
        Assert.Equal(before, await CatalogSnapshotAsync());
    }

    [Fact]
    public async Task Silos_starting_at_once_apply_the_schema_once_between_them()
    {
        var starts = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Schema().ApplyAsync())));

        var applying = Assert.Single(starts, applied => applied.Count > 0);
        Assert.Equal(PostgresSchema.Scripts.Count, applying.Count);
        Assert.Equal((long)PostgresSchema.Scripts.Count, await _database.ScalarAsync<long>("SELECT count(*) FROM opencode_schema_history"));
        Assert.Equal(ProviderQueryKeys.Length, (await QueryKeysAsync()).Count);
    }

    [Fact]
    public async Task A_script_changed_after_it_was_applied_stops_the_start()
    {
        await Schema().ApplyAsync();
        await _database.ScalarAsync<int>("UPDATE opencode_schema_history SET sha256 = 'edited' WHERE script = '002-grain-state.sql' RETURNING 1");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Schema().ApplyAsync());

        Assert.Contains("002-grain-state.sql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_script_leaves_the_database_as_it_was()
    {
        // Another application's table in the way of ours: the whole start rolls back, nothing half-applied.
        await _database.ScalarAsync<int>("CREATE VIEW opencode_reminders AS SELECT 1 AS x; SELECT 1");

        await Assert.ThrowsAsync<PostgresException>(() => Schema().ApplyAsync());

        Assert.False(await _database.ScalarAsync<bool>("SELECT to_regclass('opencode_schema_history') IS NOT NULL"));
        Assert.False(await _database.ScalarAsync<bool>("SELECT to_regclass('orleansquery') IS NOT NULL"));
    }

    private PostgresSchema Schema() => new(_database.ConnectionString, NullLogger<PostgresSchema>.Instance);

    private async Task<List<string>> QueryKeysAsync()
    {
        await using var connection = await _database.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT querykey FROM orleansquery ORDER BY querykey COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    /// <summary>
    /// The row versions (xmin) of the schema's catalog entries and of the rows it writes: any statement that changed
    /// one of them, even to the same value, gives it a new xmin.
    /// </summary>
    private Task<string> CatalogSnapshotAsync() => _database.ScalarAsync<string>("""
        SELECT string_agg(entry, ',' ORDER BY entry) FROM (
            SELECT 'class:' || relname || ':' || xmin::text AS entry FROM pg_class WHERE relnamespace = 'public'::regnamespace
            UNION ALL SELECT 'attribute:' || attrelid::regclass || '.' || attname || ':' || xmin::text FROM pg_attribute
                WHERE attrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace) AND attnum > 0
            UNION ALL SELECT 'query:' || querykey || ':' || xmin::text FROM orleansquery
            UNION ALL SELECT 'history:' || script || ':' || xmin::text FROM opencode_schema_history
        ) AS catalog
        """);
}
