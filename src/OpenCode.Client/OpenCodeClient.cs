using Microsoft.Extensions.Options;

namespace OpenCode.Client;

/// <summary>Typed access to agents and conversations from another process, over the Orleans client.</summary>
public sealed class OpenCodeClient(IClusterClient cluster, IOptions<OpenCodeClientOptions> options)
{
    public AgentsClient Agents { get; } = new(cluster, options.Value);

    public ConversationsClient Conversations { get; } = new(cluster, options.Value);
}
