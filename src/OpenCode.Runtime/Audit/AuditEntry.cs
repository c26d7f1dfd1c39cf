namespace OpenCode.Runtime.Audit;

/// <summary>
/// One record of the audit log: who (<see cref="Actor"/> of <see cref="Tenant"/>) did what (<see cref="Action"/>, one
/// of <see cref="AuditActions"/>) to which resource, when, and how it ended. Records are only ever appended.
/// </summary>
public sealed record AuditEntry
{
    /// <summary>Assigned by the store when the record is appended (0 before); grows with every append.</summary>
    public long Id { get; init; }

    /// <summary>When it happened, UTC; the store keeps microseconds.</summary>
    public required DateTimeOffset At { get; init; }

    public required string Tenant { get; init; }

    /// <summary>The user who acted; for a tool call, the owner of the conversation that made it.</summary>
    public required string Actor { get; init; }

    public required string Action { get; init; }

    /// <summary>What was acted on: <c>agent</c>, <c>apikey</c>, <c>approval</c> or <c>tool</c> (see <see cref="AuditActions"/>).</summary>
    public required string ResourceType { get; init; }

    /// <summary>The agent id, key id, approval id, or the tool's name as the model saw it.</summary>
    public required string ResourceId { get; init; }

    /// <summary>The conversation an approval answer or a tool call belongs to.</summary>
    public string? ConversationId { get; init; }

    /// <summary><see cref="AuditOutcomes.Succeeded"/> for an admin action; for a tool call, its final status (<c>completed</c>, <c>failed</c>, ...).</summary>
    public required string Outcome { get; init; }

    /// <summary>How long a tool call ran, in milliseconds (0 for a call that was not run); null for other actions.</summary>
    public long? DurationMs { get; init; }

    /// <summary>A JSON object of facts particular to the action (an agent's version, an approval's decision, a call's ids).</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// The record a store appends: its required fields checked first (in the embedded profile a bad record would fail
    /// the grain writes committed with it), its time in UTC cut to microseconds, its id left to the store.
    /// </summary>
    internal AuditEntry ForAppend()
    {
        ArgumentException.ThrowIfNullOrEmpty(Tenant);
        ArgumentException.ThrowIfNullOrEmpty(Actor);
        ArgumentException.ThrowIfNullOrEmpty(Action);
        ArgumentException.ThrowIfNullOrEmpty(ResourceType);
        ArgumentException.ThrowIfNullOrEmpty(ResourceId);
        ArgumentException.ThrowIfNullOrEmpty(Outcome);
        return this with { Id = 0, At = AuditCursor.Truncate(At) };
    }
}
