using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OpenCode.Runtime.Audit;

namespace OpenCode.Runtime.Persistence;

/// <summary>A stored row: its version (the etag) and the serialized payload.</summary>
internal readonly record struct StoredState(long Version, byte[] Payload);

/// <summary>
/// Result of a conditional write or delete: either the new version, or a conflict carrying the
/// version actually stored (null when no row exists).
/// </summary>
internal readonly record struct WriteOutcome(bool Succeeded, long Version, long? StoredVersion)
{
    public static WriteOutcome Success(long version) => new(true, version, null);

    public static WriteOutcome Conflict(long? storedVersion) => new(false, 0, storedVersion);
}

/// <summary>
/// The SQLite file behind <see cref="SqliteGrainStorage"/>: one table keyed by
/// (state name, grain id) with an integer version and a payload blob, and the audit log's table
/// (<see cref="SqliteAuditTable"/>), whose appends join the same group commits.
/// </summary>
/// <remarks>
/// All writes go through one writer connection. A writer that finds it free commits its own
/// write, and whatever other writes were queued meanwhile, in one transaction on its own thread
/// (flat combining / group commit): an uncontended write costs no thread hop, concurrent writers
/// share commits, and nobody ever competes for SQLite's write lock, so there is no SQLITE_BUSY.
/// Reads use a small pool of separate connections; in WAL mode they never block the writer nor
/// wait for it. Every connection keeps its statements prepared for its whole life; the schema
/// is created once, at open.
/// <para>The WAL is copied back into the database by a background thread on a connection of its own
/// (<see cref="SqliteGrainStorageOptions.WalCheckpointInterval"/>), not by SQLite's automatic
/// checkpoint: that one runs inside whichever commit crosses the threshold and holds up every write
/// queued behind it for as long as the copy takes. The background pass cannot finish the job alone under
/// steady writes: SQLite starts the WAL over only when a write transaction begins with every frame already
/// copied, and commits keep arriving while the pass copies. So the writer copies the few frames committed
/// during the pass before its next batch (<see cref="CommitBatch"/>), and that batch starts the WAL over.
/// Without it the WAL grew by every byte written for as long as the load lasted (500 MB in ten seconds of
/// the turn benchmark), and each pass took longer than the one before.</para>
/// </remarks>
internal sealed partial class SqliteStateStore : IAsyncDisposable
{
    // Batches a writer commits on its own thread before handing the queue to the thread pool.
    private const int InlineBatches = 2;

    // What the WAL file is cut back to when it starts over, after a burst made it larger.
    private const long WalSizeLimitBytes = 64L * 1024 * 1024;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS grain_state (
            state_name   TEXT    NOT NULL,
            grain_id     TEXT    NOT NULL,
            version      INTEGER NOT NULL,
            payload      BLOB    NOT NULL,
            modified_utc INTEGER NOT NULL,
            PRIMARY KEY (state_name, grain_id)
        );
        """;

    private const string SelectSql =
        "SELECT version, payload FROM grain_state WHERE state_name = $state AND grain_id = $grain";

    private const string SelectVersionSql =
        "SELECT version FROM grain_state WHERE state_name = $state AND grain_id = $grain";

    private const string InsertSql = """
        INSERT INTO grain_state (state_name, grain_id, version, payload, modified_utc)
        VALUES ($state, $grain, 1, $payload, $now)
        ON CONFLICT (state_name, grain_id) DO NOTHING
        """;

    private const string UpdateSql = """
        UPDATE grain_state SET version = version + 1, payload = $payload, modified_utc = $now
        WHERE state_name = $state AND grain_id = $grain AND version = $version
        """;

    private const string DeleteSql =
        "DELETE FROM grain_state WHERE state_name = $state AND grain_id = $grain AND version = $version";

    private readonly string _connectionString;
    private readonly SqliteGrainStorageOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<WriteRequest> _pending = new();
    private readonly ConcurrentBag<ReadSession> _idleReaders = new();
    private readonly SemaphoreSlim _readSlots;
    private readonly int _readConnections;
    private readonly WriteSession _writer;
    private readonly List<WriteRequest> _batch;
    private readonly int _maxBatchSize;
    private readonly CancellationTokenSource _stopping = new();
    private Task _walCheckpoints = Task.CompletedTask;
    private long _commits;

    // 1 when a background pass copied the WAL and the writer should copy what was committed meanwhile.
    private int _walTailPending;
    private int _disposed;

    // 1 while one thread owns the writer connection and commits queued writes.
    private int _draining;

    // 1 once the writer connection is closed: what is still queued then is failed.
    private int _closed;

    private SqliteStateStore(string connectionString, SqliteGrainStorageOptions options, WriteSession writer, ILogger logger)
    {
        _connectionString = connectionString;
        _options = options;
        _logger = logger;
        _writer = writer;
        _maxBatchSize = Math.Max(1, options.MaxWriteBatchSize);
        _batch = new List<WriteRequest>(_maxBatchSize);
        _readConnections = Math.Max(1, options.MaxReadConnections);
        _readSlots = new SemaphoreSlim(_readConnections);
    }

    /// <summary>Opens (creating when missing) the database file, applies the pragmas and the schema.</summary>
    public static SqliteStateStore Open(SqliteGrainStorageOptions options, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            throw new ArgumentException($"{nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.DatabasePath)} is required.", nameof(options));
        }

        if (options.WalCheckpointInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(SqliteGrainStorageOptions)}.{nameof(SqliteGrainStorageOptions.WalCheckpointInterval)} must be positive.", nameof(options));
        }

        var path = Path.GetFullPath(options.DatabasePath);
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // Connections live as long as the store; closing them for real on dispose lets the
            // last one checkpoint the WAL and lets tests delete the file.
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        }.ToString();

        var connection = OpenConnection(connectionString, options);
        try
        {
            var journalMode = ExecuteScalar(connection, "PRAGMA journal_mode = WAL;");
            if (!string.Equals(journalMode as string, "wal", StringComparison.OrdinalIgnoreCase))
            {
                LogJournalModeNotWal(logger, path, journalMode as string);
            }

            ExecuteNonQuery(connection, Schema);
            ExecuteNonQuery(connection, SqliteAuditTable.Schema);
            ExecuteNonQuery(connection, $"PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {WalSizeLimitBytes};");
            var writer = new WriteSession(connection);
            LogOpened(logger, path, options.SynchronousFull ? "FULL" : "NORMAL");
            var store = new SqliteStateStore(connectionString, options, writer, logger);
            // A thread of its own: a pass blocks for as long as the copy takes, and a thread-pool worker
            // blocked that long is one of the few the gateway's turns run on.
            store._walCheckpoints = Task.Factory.StartNew(store.CheckpointWal, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return store;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Reads a row, or null when none exists.</summary>
    public ValueTask<StoredState?> ReadAsync(string stateName, string grainId, CancellationToken cancellationToken) =>
        ReadAsync(static (session, key) => session.Read(key.stateName, key.grainId), (stateName, grainId), cancellationToken);

    /// <summary>A page of audit records (one more than the page holds, see <see cref="SqliteAuditTable.Query"/>).</summary>
    public ValueTask<List<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken) =>
        ReadAsync(static (session, query) => session.QueryAudit(query), query, cancellationToken);

    /// <summary>Appends an audit record in the next group commit; returns its id once committed.</summary>
    public async Task<long> AppendAuditAsync(AuditEntry entry) =>
        (await Enqueue(new WriteRequest(WriteKind.AuditAppend, "", "", null, null) { AuditEntry = entry }).ConfigureAwait(false)).Version;

    /// <summary>Runs <paramref name="read"/> on an idle read connection (opening one when all are in use and a slot is free).</summary>
    private async ValueTask<T> ReadAsync<TArgument, T>(Func<ReadSession, TArgument, T> read, TArgument argument, CancellationToken cancellationToken)
    {
        await _readSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        ReadSession? session = null;
        try
        {
            // Checked while holding a slot: DisposeAsync takes every slot before closing readers.
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            session = _idleReaders.TryTake(out var idle) ? idle : new ReadSession(OpenConnection(_connectionString, _options));
            return read(session, argument);
        }
        catch
        {
            // A connection that failed mid-read is not trusted again.
            session?.Dispose();
            session = null;
            throw;
        }
        finally
        {
            if (session is not null)
            {
                _idleReaders.Add(session);
            }

            _readSlots.Release();
        }
    }

    /// <summary>
    /// Inserts (when <paramref name="expectedVersion"/> is null) or updates the row if its
    /// version is still <paramref name="expectedVersion"/>.
    /// </summary>
    public Task<WriteOutcome> WriteAsync(string stateName, string grainId, long? expectedVersion, byte[] payload) =>
        Enqueue(new WriteRequest(WriteKind.Upsert, stateName, grainId, expectedVersion, payload));

    /// <summary>
    /// Deletes the row if its version is still <paramref name="expectedVersion"/>; with a null
    /// expected version, succeeds only when no row exists.
    /// </summary>
    public Task<WriteOutcome> DeleteAsync(string stateName, string grainId, long? expectedVersion) =>
        Enqueue(new WriteRequest(WriteKind.Delete, stateName, grainId, expectedVersion, null));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _walCheckpoints.ConfigureAwait(false);

        // Take the writer for good, commit what is already queued, then close (the last connection
        // to close checkpoints what is left in the WAL).
        while (Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }

        while (TakeBatch())
        {
            CommitBatch();
        }

        _writer.Dispose();
        Interlocked.Exchange(ref _closed, 1);
        FailPending();

        // Wait for reads in flight, close every read connection, then let waiting readers
        // through: they find the store disposed.
        for (var slot = 0; slot < _readConnections; slot++)
        {
            await _readSlots.WaitAsync().ConfigureAwait(false);
        }

        while (_idleReaders.TryTake(out var reader))
        {
            reader.Dispose();
        }

        _readSlots.Release(_readConnections);
        _stopping.Dispose();
    }

    /// <summary>
    /// Copies committed WAL frames into the database every <see cref="SqliteGrainStorageOptions.WalCheckpointInterval"/>
    /// when something was committed since the last pass. PASSIVE: it takes no lock writers or readers wait for. A pass
    /// that copied every frame it found asks the writer for the rest (see the remarks on this class).
    /// </summary>
    private void CheckpointWal()
    {
        try
        {
            using var connection = OpenConnection(_connectionString, _options);
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            var checkpointed = 0L;
            while (!_stopping.Token.WaitHandle.WaitOne(_options.WalCheckpointInterval))
            {
                var commits = Volatile.Read(ref _commits);
                if (commits == checkpointed)
                {
                    continue;
                }

                try
                {
                    // A second pass straight after copies what was committed during the first, a small fraction of
                    // it, so what is left for the writer is smaller still.
                    if (WalCheckpointResult.Read(checkpoint).CopiedAll && WalCheckpointResult.Read(checkpoint).CopiedAll)
                    {
                        Volatile.Write(ref _walTailPending, 1);
                    }

                    checkpointed = commits;
                }
                catch (SqliteException exception)
                {
                    LogWalCheckpointFailed(_logger, exception);
                }
            }
        }
        catch (Exception exception)
        {
            // Without checkpoints the WAL only grows; writes still work and the next start checkpoints it.
            LogWalCheckpointFailed(_logger, exception);
        }
    }

    private Task<WriteOutcome> Enqueue(WriteRequest request)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _pending.Enqueue(request);
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            Drain(InlineBatches);
        }
        else if (Volatile.Read(ref _closed) != 0)
        {
            FailPending();
        }

        return request.Completion.Task;
    }

    /// <summary>
    /// Commits queued writes while this thread owns the writer. A caller commits at most
    /// <paramref name="maxBatches"/> batches inline (its own write is almost always in the
    /// first), then hands the rest to the thread pool so no grain turn is held up for long.
    /// </summary>
    private void Drain(int maxBatches)
    {
        for (var batches = 0; ; batches++)
        {
            if (batches == maxBatches)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static store => store.Drain(int.MaxValue), this, preferLocal: false);
                return;
            }

            if (!TakeBatch())
            {
                // A full fence (not a release-only write) so the emptiness check below cannot
                // be read before the writer is released.
                Interlocked.Exchange(ref _draining, 0);

                // A write queued after the queue looked empty, by a thread that saw the writer
                // still owned, is ours to commit.
                if (_pending.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            CommitBatch();
        }
    }

    private bool TakeBatch()
    {
        while (_batch.Count < _maxBatchSize && _pending.TryDequeue(out var request))
        {
            _batch.Add(request);
        }

        return _batch.Count > 0;
    }

    private void FailPending()
    {
        while (_pending.TryDequeue(out var request))
        {
            request.Completion.TrySetException(new ObjectDisposedException(nameof(SqliteStateStore), "The SQLite grain storage is stopped."));
        }
    }

    private void CommitBatch()
    {
        var batch = _batch;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (Interlocked.Exchange(ref _walTailPending, 0) == 1)
        {
            CheckpointWalTail();
        }

        try
        {
            _writer.Begin.ExecuteNonQuery();
            foreach (var request in batch)
            {
                request.Outcome = request.Kind switch
                {
                    WriteKind.Upsert => _writer.Upsert(request.StateName, request.GrainId, request.ExpectedVersion, request.Payload!, now),
                    WriteKind.Delete => _writer.Delete(request.StateName, request.GrainId, request.ExpectedVersion),
                    // The "version" of an append is the new record's id.
                    _ => WriteOutcome.Success(_writer.AppendAudit(request.AuditEntry!)),
                };
            }

            _writer.Commit.ExecuteNonQuery();
            Interlocked.Increment(ref _commits);
            foreach (var request in batch)
            {
                request.Completion.TrySetResult(request.Outcome);
            }
        }
        catch (Exception exception)
        {
            _writer.TryRollback();
            LogBatchFailed(_logger, exception, batch.Count);
            foreach (var request in batch)
            {
                request.Completion.TrySetException(exception);
            }
        }
        finally
        {
            batch.Clear();
        }
    }

    /// <summary>
    /// Copies, on the writer connection between two batches, the frames committed while the background passes ran,
    /// after which the next batch starts the WAL over from its beginning.
    /// </summary>
    private void CheckpointWalTail()
    {
        try
        {
            _writer.CheckpointWal.ExecuteNonQuery();
        }
        catch (SqliteException exception)
        {
            LogWalCheckpointFailed(_logger, exception);
        }
    }

    private static SqliteConnection OpenConnection(string connectionString, SqliteGrainStorageOptions options)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            var busyMs = ((long)options.BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            var synchronous = options.SynchronousFull ? "FULL" : "NORMAL";
            ExecuteNonQuery(connection, $"PRAGMA busy_timeout = {busyMs}; PRAGMA synchronous = {synchronous}; PRAGMA temp_store = MEMORY;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void ExecuteNonQuery(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? ExecuteScalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }

        command.Prepare();
        return command;
    }

    private static long? SelectVersion(SqliteCommand command, string stateName, string grainId)
    {
        command.Parameters[0].Value = stateName;
        command.Parameters[1].Value = grainId;
        return command.ExecuteScalar() is long version ? version : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite grain storage opened {Path} (journal_mode=WAL, synchronous={Synchronous})")]
    private static partial void LogOpened(ILogger logger, string path, string synchronous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite grain storage {Path} could not switch to WAL (journal_mode={JournalMode}); concurrent reads will wait for writes")]
    private static partial void LogJournalModeNotWal(ILogger logger, string path, string? journalMode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite grain storage could not checkpoint its WAL; it keeps growing until a checkpoint succeeds")]
    private static partial void LogWalCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "SQLite grain storage failed to commit a batch of {Count} writes")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);

    private enum WriteKind
    {
        Upsert,
        Delete,
        AuditAppend,
    }

    private sealed class WriteRequest(WriteKind kind, string stateName, string grainId, long? expectedVersion, byte[]? payload)
    {
        public WriteKind Kind { get; } = kind;
        public string StateName { get; } = stateName;
        public string GrainId { get; } = grainId;
        public long? ExpectedVersion { get; } = expectedVersion;
        public byte[]? Payload { get; } = payload;
        public AuditEntry? AuditEntry { get; init; }
        public WriteOutcome Outcome { get; set; }
        public TaskCompletionSource<WriteOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The writer connection and its prepared statements; used by the writer loop only.</summary>
    private sealed class WriteSession : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _insert;
        private readonly SqliteCommand _update;
        private readonly SqliteCommand _delete;
        private readonly SqliteCommand _selectVersion;
        private readonly SqliteCommand _rollback;
        private readonly SqliteCommand _appendAudit;

        public WriteSession(SqliteConnection connection)
        {
            _connection = connection;
            // IMMEDIATE takes the write lock at BEGIN, so a batch never fails half-way on a lock
            // upgrade if another process opened the file.
            Begin = Prepare(connection, "BEGIN IMMEDIATE");
            Commit = Prepare(connection, "COMMIT");
            CheckpointWal = Prepare(connection, "PRAGMA wal_checkpoint(PASSIVE)");
            _rollback = Prepare(connection, "ROLLBACK");
            _insert = Prepare(connection, InsertSql, ("$state", SqliteType.Text), ("$grain", SqliteType.Text), ("$payload", SqliteType.Blob), ("$now", SqliteType.Integer));
            _update = Prepare(connection, UpdateSql, ("$state", SqliteType.Text), ("$grain", SqliteType.Text), ("$payload", SqliteType.Blob), ("$now", SqliteType.Integer), ("$version", SqliteType.Integer));
            _delete = Prepare(connection, DeleteSql, ("$state", SqliteType.Text), ("$grain", SqliteType.Text), ("$version", SqliteType.Integer));
            _selectVersion = Prepare(connection, SelectVersionSql, ("$state", SqliteType.Text), ("$grain", SqliteType.Text));
            _appendAudit = Prepare(connection, SqliteAuditTable.InsertSql, SqliteAuditTable.InsertParameters);
        }

        public SqliteCommand Begin { get; }

        public SqliteCommand Commit { get; }

        public SqliteCommand CheckpointWal { get; }

        public WriteOutcome Upsert(string stateName, string grainId, long? expectedVersion, byte[] payload, long now)
        {
            var command = expectedVersion is null ? _insert : _update;
            command.Parameters[0].Value = stateName;
            command.Parameters[1].Value = grainId;
            command.Parameters[2].Value = payload;
            command.Parameters[3].Value = now;
            if (expectedVersion is { } expected)
            {
                command.Parameters[4].Value = expected;
            }

            if (command.ExecuteNonQuery() == 1)
            {
                return WriteOutcome.Success(expectedVersion + 1 ?? 1);
            }

            return WriteOutcome.Conflict(SelectVersion(_selectVersion, stateName, grainId));
        }

        public WriteOutcome Delete(string stateName, string grainId, long? expectedVersion)
        {
            if (expectedVersion is not { } expected)
            {
                var stored = SelectVersion(_selectVersion, stateName, grainId);
                return stored is null ? WriteOutcome.Success(0) : WriteOutcome.Conflict(stored);
            }

            _delete.Parameters[0].Value = stateName;
            _delete.Parameters[1].Value = grainId;
            _delete.Parameters[2].Value = expected;
            return _delete.ExecuteNonQuery() == 1
                ? WriteOutcome.Success(0)
                : WriteOutcome.Conflict(SelectVersion(_selectVersion, stateName, grainId));
        }

        public long AppendAudit(AuditEntry entry) => SqliteAuditTable.Insert(_appendAudit, entry);

        public void TryRollback()
        {
            try
            {
                _rollback.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // No transaction is active: SQLite already rolled it back.
            }
        }

        public void Dispose()
        {
            Begin.Dispose();
            Commit.Dispose();
            CheckpointWal.Dispose();
            _rollback.Dispose();
            _insert.Dispose();
            _update.Dispose();
            _delete.Dispose();
            _selectVersion.Dispose();
            _appendAudit.Dispose();
            _connection.Dispose();
        }
    }

    /// <summary>A read connection and its prepared select; used by one caller at a time.</summary>
    private sealed class ReadSession : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _select;

        public ReadSession(SqliteConnection connection)
        {
            _connection = connection;
            try
            {
                ExecuteNonQuery(connection, "PRAGMA query_only = 1;");
                _select = Prepare(connection, SelectSql, ("$state", SqliteType.Text), ("$grain", SqliteType.Text));
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public StoredState? Read(string stateName, string grainId)
        {
            _select.Parameters[0].Value = stateName;
            _select.Parameters[1].Value = grainId;
            using var reader = _select.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            return new StoredState(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
        }

        public List<AuditEntry> QueryAudit(AuditQuery query) => SqliteAuditTable.Query(_connection, query);

        public void Dispose()
        {
            _select.Dispose();
            _connection.Dispose();
        }
    }
}
