namespace OpenCode.Runtime.Conversations;

/// <summary>
/// The reminder that keeps an unfinished turn alive (<c>Orleans:TurnReminderSeconds</c>): when the silo running a
/// turn dies, the reminder's next tick reactivates the conversation elsewhere and the turn resumes, so the period
/// bounds how long a turn nobody asks about waits after its silo is declared dead.
/// </summary>
public sealed class TurnReminderOptions
{
    public const int DefaultPeriodSeconds = 60;

    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(DefaultPeriodSeconds);
}
