using OpenCode.Abstractions;
using OpenCode.Gateway.Security;

namespace OpenCode.Gateway.Api;

/// <summary>What every endpoint needs: the grains and who is calling.</summary>
public readonly record struct ApiContext(HttpContext Http, IGrainFactory Grains)
{
    public CallerIdentity Caller => Callers.Of(Http);

    public bool Can(Permission permission) => Http.RequestServices.GetRequiredService<RoleCatalog>().Grants(Caller.Roles, permission);

    /// <summary>Throws a 403 naming <paramref name="permission"/> unless the caller's roles grant it.</summary>
    public void Demand(Permission permission)
    {
        if (!Can(permission))
        {
            throw new MissingPermissionException(permission);
        }
    }
}
