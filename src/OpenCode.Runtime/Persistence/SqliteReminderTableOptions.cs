namespace OpenCode.Runtime.Persistence;

/// <summary>Options of <see cref="SqliteReminderTable"/>.</summary>
public sealed class SqliteReminderTableOptions
{
    /// <summary>Path of the SQLite file of reminders; its directory is created when missing. Required.</summary>
    public string DatabasePath { get; set; } = string.Empty;
}
