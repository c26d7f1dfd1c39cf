using OpenCode.Abstractions;

namespace OpenCode.Gateway.Security;

/// <summary>A 403 that names the permission the caller's roles do not grant.</summary>
public sealed class MissingPermissionException(Permission permission)
    : OpenCodeException(ErrorCodes.Forbidden, $"This needs the permission '{permission}', which the caller's roles do not grant.")
{
    public string Permission { get; } = permission.ToString();
}
