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

    /// <summary>What <paramref name="role"/> grants; nothing for an unknown role.</summary>
    public IReadOnlyList<Permission> PermissionsOf(string role) => _roles.TryGetValue(role, out var known) ? known.Permissions : [];

    /// <summary>Whether any of <paramref name="roles"/> grants <paramref name="needed"/>; unknown roles grant nothing.</summary>
    public bool Grants(IReadOnlyList<string> roles, Permission needed)
    {
        // Loops, not LINQ: every request on the turn path asks, and closures would allocate each time.
        foreach (var name in roles)
        {
            if (_roles.TryGetValue(name, out var role))
            {
                foreach (var permission in role.Permissions)
                {
                    if (permission.Covers(needed))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
