using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OpenCode.Runtime.Persistence;

/// <summary>
/// The PostgreSQL schema of the cluster profile: the SQL scripts under <c>Persistence/Postgres</c> (embedded in this
/// assembly), each applied once, in name order, recorded in <c>opencode_schema_history</c>.
/// </summary>
/// <remarks>
/// Every silo applies the schema as it starts. All of it happens in one transaction that first takes a
/// transaction-level advisory lock, so silos starting together wait for each other and the later ones find
/// the scripts recorded and change nothing. A script already applied must not change (its SHA-256 is kept):
/// changes go in a new script.
/// </remarks>
public sealed partial class PostgresSchema(string connectionString, ILogger<PostgresSchema> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>"opencode" in ASCII: the advisory lock every silo takes while it applies the schema.</summary>
    public const long AdvisoryLockKey = 0x6F70656E636F6465;

    private const string ResourcePrefix = "OpenCode.Runtime.Persistence.Postgres.";

    private const string CreateHistorySql = """
        CREATE TABLE IF NOT EXISTS opencode_schema_history
        (
            script     text        NOT NULL PRIMARY KEY,
            sha256     text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """;

    /// <summary>The scripts in the order they are applied.</summary>
    public static IReadOnlyList<SchemaScript> Scripts { get; } = LoadScripts();

    /// <summary>Before the storage and reminder providers read their queries from <c>OrleansQuery</c>.</summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresSchema), ServiceLifecycleStage.RuntimeInitialize, ct => ApplyAsync(ct));

    /// <summary>Applies the scripts the database does not have yet; returns their names.</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);

        // The history table itself is looked up rather than created blindly, so a database that is up to date
        // sees no statement that could change it.
        if (!await HistoryExistsAsync(connection, transaction, cancellationToken))
        {
            await ExecuteAsync(connection, transaction, CreateHistorySql, cancellationToken);
        }

        var applied = await ReadHistoryAsync(connection, transaction, cancellationToken);
        var newlyApplied = new List<string>();
        foreach (var script in Scripts)
        {
            if (applied.TryGetValue(script.Name, out var sha256))
            {
                if (sha256 != script.Sha256)
                {
                    throw new InvalidOperationException(
                        $"PostgreSQL schema script {script.Name} changed after it was applied to this database; put changes in a new script.");
                }

                continue;
            }

            await ExecuteAsync(connection, transaction, script.Sql, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO opencode_schema_history (script, sha256) VALUES ($1, $2)", connection, transaction)
            {
                Parameters = { new() { Value = script.Name }, new() { Value = script.Sha256 } },
            };
            await record.ExecuteNonQueryAsync(cancellationToken);
            newlyApplied.Add(script.Name);
        }

        await transaction.CommitAsync(cancellationToken);
        if (newlyApplied.Count > 0)
        {
            LogApplied(logger, string.Join(", ", newlyApplied));
        }
        else
        {
            LogUpToDate(logger);
        }

        return newlyApplied;
    }

    private static async Task<bool> HistoryExistsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass('opencode_schema_history') IS NOT NULL", connection, transaction);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<Dictionary<string, string>> ReadHistoryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand("SELECT script, sha256 FROM opencode_schema_history", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetString(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<SchemaScript> LoadScripts()
    {
        var assembly = typeof(PostgresSchema).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream, Encoding.UTF8);
                // Line endings normalised: a checkout with CRLF endings must not look like a changed script.
                var sql = reader.ReadToEnd().ReplaceLineEndings("\n");
                var sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
                return new SchemaScript(name[ResourcePrefix.Length..], sql, sha256);
            })
            .ToList();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL schema: applied {Scripts}")]
    private static partial void LogApplied(ILogger logger, string scripts);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL schema: up to date")]
    private static partial void LogUpToDate(ILogger logger);
}
