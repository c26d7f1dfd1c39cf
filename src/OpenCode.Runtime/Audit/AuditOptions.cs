namespace OpenCode.Runtime.Audit;

/// <summary>Configuration section <c>Audit</c>.</summary>
public sealed class AuditOptions
{
    /// <summary>
    /// Whether a tool call's record holds its arguments and result. Off by default: they may carry personal data
    /// or secrets, and the audit log cannot be edited to remove them later.
    /// </summary>
    public bool IncludePayloads { get; set; }
}
