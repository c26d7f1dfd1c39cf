using OpenCode.Gateway.Security;

namespace OpenCode.Gateway.Api;

/// <summary>What every endpoint needs: the grains and who is calling.</summary>
public readonly record struct ApiContext(HttpContext Http, IGrainFactory Grains)
{
    public Caller Caller => Caller.From(Http);
}
