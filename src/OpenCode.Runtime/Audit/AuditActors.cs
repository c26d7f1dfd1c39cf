namespace OpenCode.Runtime.Audit;

/// <summary>Actors of records that no caller's request made.</summary>
public static class AuditActors
{
    /// <summary>
    /// The operator's configuration, applied when a silo starts: a declared agent it created or changed, the bootstrap
    /// admin key it issued. Not a user's name in practice: a configuration applied again unchanged records nothing.
    /// </summary>
    public const string OperatorConfig = "operator-config";
}
