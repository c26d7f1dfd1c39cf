using Orleans.Storage;

namespace OpenCode.Runtime.Persistence;

/// <summary>
/// Options of <see cref="SqliteGrainStorage"/>, the embedded profile's durable grain storage.
/// </summary>
public sealed class SqliteGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>
    /// Path of the SQLite database file. Its directory is created when missing. Required.
    /// One file may be shared by several storage names only if their state names do not collide.
    /// </summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>
    /// Serializer of the state payload. When left null it is, in order: the
    /// <see cref="IGrainStorageSerializer"/> registered as a keyed service under the storage
    /// name, else <see cref="ExactSizeGrainStorageSerializer"/>: Orleans' binary format (fast, version
    /// tolerant for <c>[GenerateSerializer]</c> types with <c>[Id]</c> members).
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    /// <summary>Silo lifecycle stage at which the database is opened and the schema created.</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;

    /// <summary>
    /// Number of read connections kept open (each with its prepared statement). Reads beyond
    /// this number wait for a free connection. Writes always go through one writer connection.
    /// </summary>
    public int MaxReadConnections { get; set; } = 4;

    /// <summary>
    /// Most writes committed together in one transaction when many grains write at once
    /// (group commit). Each write still gets its own etag check and result.
    /// </summary>
    public int MaxWriteBatchSize { get; set; } = 128;

    /// <summary>
    /// How often committed writes are copied from the WAL into the database file, in the background
    /// (SQLite's own automatic checkpoint would run inside a commit and stall the writes behind it).
    /// </summary>
    public TimeSpan WalCheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a connection waits for a lock held by another connection or process before
    /// failing with SQLITE_BUSY (SQLite <c>busy_timeout</c>).
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When false (default) the database runs with <c>journal_mode=WAL</c> and
    /// <c>synchronous=NORMAL</c>: a commit is appended to the WAL file without an fsync, so it
    /// survives a crash or kill of the process (the data is in the OS page cache), and the
    /// database is never corrupted; only an operating-system crash or power loss can roll back
    /// the last few commits. Set to true for <c>synchronous=FULL</c> (an fsync per commit,
    /// durable across power loss, several times slower per write).
    /// </summary>
    public bool SynchronousFull { get; set; }
}
