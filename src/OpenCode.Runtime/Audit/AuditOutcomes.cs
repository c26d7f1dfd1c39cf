namespace OpenCode.Runtime.Audit;

/// <summary>The outcome of an admin action; a tool call's outcome is its final status (<see cref="OpenCode.Abstractions.ToolCallStatuses"/>).</summary>
public static class AuditOutcomes
{
    public const string Succeeded = "succeeded";
}
