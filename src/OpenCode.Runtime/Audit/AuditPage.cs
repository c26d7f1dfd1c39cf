namespace OpenCode.Runtime.Audit;

/// <summary>Records newest first; <see cref="Next"/> continues after the last of them, null when there are no more.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, AuditCursor? Next);
