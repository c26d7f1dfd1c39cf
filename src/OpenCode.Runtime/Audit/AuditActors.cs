namespace OpenCode.Runtime.Audit;

/// <summary>Actors of records that no caller's request made.</summary>
public static class AuditActors
{
    /// <summary>
    /// The operator's configuration, applied when a silo starts: a declared agent it created or changed, the bootstrap
    /// admin key it issued. The '/' makes it a name no user can have (user names are grain key segments), so no caller
    /// can make a record look as if the configuration made it.
    /// </summary>
    public const string OperatorConfig = "config/operator";
}
