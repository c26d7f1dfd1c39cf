using Microsoft.Data.Sqlite;

namespace OpenCode.Runtime.Persistence;

/// <summary>The row <c>PRAGMA wal_checkpoint</c> answers: whether it was blocked, the WAL's frames, and how many it copied.</summary>
internal readonly record struct WalCheckpointResult(bool Blocked, long Frames, long Copied)
{
    /// <summary>Whether every frame in the WAL is now in the database file.</summary>
    public bool CopiedAll => !Blocked && Frames > 0 && Copied == Frames;

    public static WalCheckpointResult Read(SqliteCommand checkpoint)
    {
        using var reader = checkpoint.ExecuteReader();
        return reader.Read() ? new(reader.GetInt64(0) != 0, reader.GetInt64(1), reader.GetInt64(2)) : default;
    }
}
