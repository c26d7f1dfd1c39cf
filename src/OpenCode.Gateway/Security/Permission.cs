namespace OpenCode.Gateway.Security;

/// <summary>
/// What a role allows: an action on a resource, written <c>resource:action</c>; <c>*</c> stands for every resource
/// or every action — except the <c>tenants</c> resource, which reaches across tenants and so must be named.
/// </summary>
public readonly record struct Permission(string Resource, string Action)
{
    /// <summary>The resource a <c>*</c> resource does not cover: a tenant's own admin must not reach other tenants.</summary>
    public const string CrossTenantResource = "tenants";

    public bool Covers(Permission needed) =>
        (Resource == needed.Resource || (Resource == "*" && needed.Resource != CrossTenantResource))
        && (Action == "*" || Action == needed.Action);

    public static bool TryParse(string? text, out Permission permission)
    {
        permission = default;
        var colon = text?.IndexOf(':') ?? -1;
        if (text is null || colon <= 0 || colon == text.Length - 1 || text.IndexOf(':', colon + 1) >= 0)
        {
            return false;
        }

        permission = new Permission(text[..colon], text[(colon + 1)..]);
        return true;
    }

    public override string ToString() => $"{Resource}:{Action}";
}
