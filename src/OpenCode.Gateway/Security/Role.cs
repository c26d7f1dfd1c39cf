namespace OpenCode.Gateway.Security;

/// <summary>A named set of permissions a caller can hold.</summary>
public sealed record Role(string Name, IReadOnlyList<Permission> Permissions)
{
    /// <summary>Runs the server: everything, in every tenant.</summary>
    public const string Operator = "operator";

    /// <summary>Everything within its own tenant.</summary>
    public const string Admin = "admin";
    public const string Developer = "developer";
    public const string User = "user";

    /// <summary>The built-in roles; <c>Auth:Roles:&lt;name&gt;</c> adds roles or replaces these.</summary>
    public static readonly IReadOnlyList<Role> BuiltIn =
    [
        new(Operator, [new Permission("*", "*"), Security.Permissions.TenantsManage]),
        new(Admin, [new Permission("*", "*")]),
        new(Developer, [Security.Permissions.AgentsRead, Security.Permissions.AgentsWrite, Security.Permissions.AgentsUse,
            Security.Permissions.ConversationsUse, Security.Permissions.McpRead]),
        new(User, [Security.Permissions.AgentsRead, Security.Permissions.AgentsUse, Security.Permissions.ConversationsUse]),
    ];
}
