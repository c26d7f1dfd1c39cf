namespace OpenCode.Gateway.Security;

/// <summary>The roles this server knows: the built-in ones, then those configured under <c>Auth:Roles</c>.</summary>
public sealed class RoleCatalog
{
    private readonly Dictionary<string, Role> _roles;

    public RoleCatalog(IConfiguration configuration)
    {
        _roles = Role.BuiltIn.ToDictionary(r => r.Name, StringComparer.Ordinal);
        foreach (var section in configuration.GetSection("Auth:Roles").GetChildren())
        {
            var permissions = new List<Permission>();
            foreach (var text in section.GetChildren().Select(c => c.Value))
            {
                permissions.Add(Permission.TryParse(text, out var permission)
                    ? permission
                    : throw new InvalidOperationException($"Auth:Roles:{section.Key} has '{text}', which is not a permission (resource:action, e.g. agents:read)."));
            }

            _roles[section.Key] = new Role(section.Key, permissions);
        }
    }

    public bool Exists(string role) => _roles.ContainsKey(role);

    /// <summary>Whether any of <paramref name="roles"/> grants <paramref name="needed"/>; unknown roles grant nothing.</summary>
    public bool Grants(IEnumerable<string> roles, Permission needed) =>
        roles.Any(name => _roles.TryGetValue(name, out var role) && role.Permissions.Any(p => p.Covers(needed)));
}
