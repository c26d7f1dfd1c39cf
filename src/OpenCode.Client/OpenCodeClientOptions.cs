namespace OpenCode.Client;

/// <summary>How an internal service reaches the OpenCode cluster, and whom it acts as.</summary>
public sealed class OpenCodeClientOptions
{
    /// <summary>Orleans gateway port of the embedded profile's silo (its <c>Orleans:GatewayPort</c>).</summary>
    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "opencode-local";

    public string ServiceId { get; set; } = "opencode";

    /// <summary>The tenant whose agents and conversations this client sees.</summary>
    public string Tenant { get; set; } = OpenCode.Abstractions.GrainKeys.LocalTenant;

    /// <summary>The user conversations are created for (listed by <see cref="ConversationsClient.ListAsync"/>).</summary>
    public string User { get; set; } = "local";
}
