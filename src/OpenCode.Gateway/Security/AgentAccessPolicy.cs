using OpenCode.Abstractions;
using OpenCode.Gateway.Api;

namespace OpenCode.Gateway.Security;

/// <summary>Whether a caller may see and use an agent: those who manage agents always, others as its <see cref="AgentAccess"/> says.</summary>
public static class AgentAccessPolicy
{
    public static bool Allows(ApiContext api, AgentAccess? agentAccess)
    {
        if (agentAccess is not { } access || api.Can(Permissions.AgentsWrite))
        {
            return true;
        }

        var caller = api.Caller;
        return access.Users?.Contains(caller.User, StringComparer.Ordinal) == true
            || access.Roles?.Any(role => caller.Roles.Contains(role, StringComparer.Ordinal)) == true;
    }
}
