using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpenCode.Runtime.Audit;
using OpenCode.Runtime.Persistence;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Audit;

/// <summary>The audit log contract against <see cref="PostgresAuditLog"/> on a real PostgreSQL database of its own, with this project's schema.</summary>
public sealed class PostgresAuditLogContractTests : AuditLogContractTests
{
    private const string ServiceId = "audit-tests";
    private PostgresDatabase? _database;

    protected override async Task<IAuditLog> OpenLogAsync()
    {
        if (_database is null)
        {
            _database = await PostgresDatabase.CreateAsync();
            await new PostgresSchema(_database.ConnectionString, NullLogger<PostgresSchema>.Instance).ApplyAsync();
        }

        return OpenLog(ServiceId);
    }

    protected override async Task CloseLogAsync(IAuditLog log) => await ((PostgresAuditLog)log).DisposeAsync();

    protected override async Task DeleteBackingStoreAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override async Task ExecuteDirectlyAsync(string sql)
    {
        await using var connection = await _database!.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{table}", "opencode_audit_log", StringComparison.Ordinal), connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Truncating_the_table_is_refused_too()
    {
        var tenant = NewTenant();
        await Log.AppendAsync(Entry(tenant, DateTimeOffset.UtcNow));

        var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteDirectlyAsync("TRUNCATE {table}"));

        Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
        Assert.Single((await Log.QueryAsync(new AuditQuery { Tenant = tenant })).Entries);
    }

    [Fact]
    public async Task Services_sharing_a_database_do_not_see_each_other_s_records()
    {
        var tenant = NewTenant();
        await Log.AppendAsync(Entry(tenant, DateTimeOffset.UtcNow));
        await using var other = OpenLog("another-service");

        Assert.Empty((await other.QueryAsync(new AuditQuery { Tenant = tenant })).Entries);
    }

    private PostgresAuditLog OpenLog(string serviceId) => new(_database!.ConnectionString, serviceId, NullLogger<PostgresAuditLog>.Instance);
}
