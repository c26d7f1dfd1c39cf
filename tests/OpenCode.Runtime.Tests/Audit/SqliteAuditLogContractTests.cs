using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCode.Runtime.Audit;
using OpenCode.Runtime.Persistence;
using OpenCode.Runtime.Tests.Persistence;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace OpenCode.Runtime.Tests.Audit;

/// <summary>The audit log contract against <see cref="SqliteAuditLog"/>: a table of the grain storage's SQLite file.</summary>
public sealed class SqliteAuditLogContractTests : AuditLogContractTests
{
    private static readonly ServiceProvider SerializationServices = new ServiceCollection()
        .AddSerializer(serializer => serializer.AddAssembly(typeof(ContractState).Assembly))
        .BuildServiceProvider();

    private readonly string _directory = Directory.CreateTempSubdirectory("opencode-audit-tests-").FullName;
    private readonly Dictionary<IAuditLog, SqliteGrainStorage> _storages = [];

    private string DatabasePath => Path.Combine(_directory, "opencode.db");

    protected override async Task<IAuditLog> OpenLogAsync()
    {
        var storage = new SqliteGrainStorage(
            "store",
            new SqliteGrainStorageOptions
            {
                DatabasePath = DatabasePath,
                GrainStorageSerializer = new OrleansGrainStorageSerializer(SerializationServices.GetRequiredService<Serializer>()),
            },
            SerializationServices.GetRequiredService<IActivatorProvider>(),
            NullLogger<SqliteGrainStorage>.Instance);
        await storage.StartAsync();
        var log = new SqliteAuditLog(storage);
        _storages[log] = storage;
        return log;
    }

    protected override Task CloseLogAsync(IAuditLog log) => _storages[log].StopAsync();

    protected override Task DeleteBackingStoreAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    protected override Task ExecuteDirectlyAsync(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql.Replace("{table}", "audit_log", StringComparison.Ordinal);
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Audit_records_and_grain_state_share_the_file_and_its_commits()
    {
        var storage = _storages[Log];
        var tenant = NewTenant();
        var state = new GrainState<ContractState>(new ContractState { Text = "beside the audit log" });
        var grainId = Orleans.Runtime.GrainId.Create("test", Guid.NewGuid().ToString("N"));

        await Task.WhenAll(
            storage.WriteStateAsync("shared-file", grainId, state),
            Log.AppendAsync(Entry(tenant, DateTimeOffset.UtcNow)));

        var read = new GrainState<ContractState>(new ContractState());
        await storage.ReadStateAsync("shared-file", grainId, read);
        Assert.Equal("beside the audit log", read.State!.Text);
        Assert.Single((await Log.QueryAsync(new AuditQuery { Tenant = tenant })).Entries);
        Assert.Equal(["opencode.db"], Directory.GetFiles(_directory, "*.db").Select(Path.GetFileName));
    }
}
