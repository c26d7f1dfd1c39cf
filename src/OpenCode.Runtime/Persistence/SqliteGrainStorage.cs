using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using OpenCode.Runtime.Privacy;
using Orleans.Storage;

namespace OpenCode.Runtime.Persistence;

/// <summary>
/// Durable Orleans grain storage on a local SQLite file: the embedded profile's state store.
/// </summary>
/// <remarks>
/// One row per (state name, grain id). The etag is the row's version, an integer that starts at
/// 1 and grows by one per write, as a string. Writes are conditional on the etag the grain last
/// saw (optimistic concurrency); a mismatch throws <see cref="InconsistentStateException"/>.
/// The row key does not include the grain type, so every <c>[PersistentState]</c> name must be
/// unique across grain classes.
/// </remarks>
public sealed partial class SqliteGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable, IDisposable
{
    private readonly string _name;
    private readonly SqliteGrainStorageOptions _options;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activatorProvider;
    private readonly ILogger<SqliteGrainStorage> _logger;
    private readonly Lock _lifecycleLock = new();
    private SqliteStateStore? _store;

    public SqliteGrainStorage(
        string name,
        SqliteGrainStorageOptions options,
        IActivatorProvider activatorProvider,
        ILogger<SqliteGrainStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        _serializer = options.GrainStorageSerializer
            ?? throw new ArgumentException($"{nameof(SqliteGrainStorageOptions.GrainStorageSerializer)} is not set for grain storage '{name}'.", nameof(options));
        _name = name;
        _options = options;
        _activatorProvider = activatorProvider;
        _logger = logger;
    }

    /// <summary>The factory used by <see cref="SqliteGrainStorageSiloBuilderExtensions"/> (keyed by storage name).</summary>
    public static SqliteGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(name);
        return ActivatorUtilities.CreateInstance<SqliteGrainStorage>(services, name, options);
    }

    /// <summary>Opens the database at <see cref="SqliteGrainStorageOptions.InitStage"/> and closes it on stop.</summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(OptionFormattingUtilities.Name<SqliteGrainStorage>(_name), _options.InitStage, StartAsync, StopAsync);

    /// <summary>
    /// Opens the database file and creates the schema. Called by the silo lifecycle; call it
    /// yourself when using the storage outside a silo. Idempotent.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_lifecycleLock)
        {
            _store ??= SqliteStateStore.Open(_options, _logger);
        }

        return Task.CompletedTask;
    }

    /// <summary>Completes the queued writes and closes the database. Idempotent.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        SqliteStateStore? store;
        lock (_lifecycleLock)
        {
            store = _store;
            _store = null;
        }

        if (store is not null)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>Synchronous <see cref="StopAsync"/>, for containers disposed synchronously.</summary>
    public void Dispose() => StopAsync().GetAwaiter().GetResult();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var stored = await Store.ReadAsync(stateName, grainId.ToString(), cancellationToken).ConfigureAwait(false);
        if (stored is not { } row)
        {
            grainState.State = CreateDefault<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = Deserialize<T>(row.Payload, stateName, grainId);
        grainState.ETag = FormatEtag(row.Version);
        grainState.RecordExists = true;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var payload = Serialize(grainState.State);
        var store = Store;

        // Once queued, the write is not cancelled: abandoning it would leave the grain's etag
        // behind the stored one.
        var outcome = await store.WriteAsync(stateName, grainId.ToString(), ParseEtag(grainState.ETag), payload).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            throw Conflict("write", stateName, grainId, outcome.StoredVersion, grainState.ETag);
        }

        grainState.ETag = FormatEtag(outcome.Version);
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var outcome = await Store.DeleteAsync(stateName, grainId.ToString(), ParseEtag(grainState.ETag)).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            throw Conflict("clear", stateName, grainId, outcome.StoredVersion, grainState.ETag);
        }

        grainState.State = CreateDefault<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>The open database file; the embedded profile's audit log shares it (<see cref="Audit.SqliteAuditLog"/>).</summary>
    internal SqliteStateStore Store =>
        Volatile.Read(ref _store) ?? throw new InvalidOperationException(
            $"SQLite grain storage '{_name}' is not started: it opens at silo start (or call {nameof(StartAsync)}).");

    private byte[] Serialize<T>(T state)
    {
        var memory = _serializer.Serialize(state).ToMemory();

        // The Orleans serializers hand back an exactly-sized array: bind it without a copy.
        return MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();
    }

    private T Deserialize<T>(byte[] payload, string stateName, GrainId grainId)
    {
        try
        {
            return _serializer.Deserialize<T>(new BinaryData(payload)) ?? CreateDefault<T>();
        }
        catch (Exception exception)
        {
            LogDeserializeFailed(_logger, exception, _name, stateName, grainId, payload.Length);
            throw;
        }
    }

    private T CreateDefault<T>() => _activatorProvider.GetActivator<T>().Create();

    private static string FormatEtag(long version) => version.ToString(CultureInfo.InvariantCulture);

    /// <summary>Null for "no record yet"; an etag this storage did not issue never matches a row.</summary>
    private static long? ParseEtag(string? etag)
    {
        if (etag is null)
        {
            return null;
        }

        return long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1;
    }

    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, long? storedVersion, string? currentEtag)
    {
        var storedEtag = storedVersion is { } stored ? FormatEtag(stored) : null;
        var message = $"SQLite grain storage '{_name}': etag conflict on {operation} of state '{stateName}' for grain {grainId}: " +
            $"stored etag {storedEtag ?? "(none)"}, grain etag {currentEtag ?? "(none)"}.";
        return new InconsistentStateException(message, storedEtag!, currentEtag!);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "SQLite grain storage {StorageName} could not deserialize state {StateName} of grain {GrainId} ({Length} bytes)")]
    private static partial void LogDeserializeFailed(ILogger logger, Exception exception, string storageName, string stateName, [Pii] GrainId grainId, int length);
}
