namespace OpenCode.Runtime.Limits;

/// <summary>The tokens a tenant's models used on one day.</summary>
[GenerateSerializer, Alias("OpenCode.TenantTokensState")]
public sealed class TenantTokensState
{
    [Id(0)] public long Spent { get; set; }
}
