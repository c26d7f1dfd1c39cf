namespace OpenCode.Runtime.Audit;

/// <summary>The kinds of resource an <see cref="AuditEntry"/> names.</summary>
public static class AuditResourceTypes
{
    public const string Agent = "agent";
    public const string ApiKey = "apikey";
    public const string Approval = "approval";
    public const string Tool = "tool";
}
