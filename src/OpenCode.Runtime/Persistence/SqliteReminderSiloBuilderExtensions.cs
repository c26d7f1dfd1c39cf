using Microsoft.Extensions.DependencyInjection;

namespace OpenCode.Runtime.Persistence;

public static class SqliteReminderSiloBuilderExtensions
{
    /// <summary>The reminder service on a <see cref="SqliteReminderTable"/>: reminders that outlive the process.</summary>
    public static ISiloBuilder UseSqliteReminderService(this ISiloBuilder silo, Action<SqliteReminderTableOptions> configure)
    {
        silo.Services.AddReminders();
        silo.Services.Configure(configure);
        silo.Services.AddSingleton<IReminderTable, SqliteReminderTable>();
        return silo;
    }
}
