namespace OpenCode.Abstractions;

/// <summary>An authenticated caller as it crosses the cluster (a WebSocket ticket carries one to the silo that redeems it).</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.CallerIdentity")]
public sealed record CallerIdentity(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string User,
    [property: Id(2)] IReadOnlyList<string> Roles,
    [property: Id(3)] string? ApiKeyId,
    [property: Id(4)] DateTimeOffset? ExpiresAt,
    [property: Id(5)] string? ApiKeyHash);
