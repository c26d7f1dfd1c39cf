namespace OpenCode.Abstractions;

/// <summary>
/// Who is calling: the tenant whose resources they reach, the user they act as, their roles, the API key they
/// presented (null for a JWT or the local user) with its grain's hash, and when the credential expires (a JWT's
/// <c>exp</c>). Serializable: a WebSocket ticket carries one to the silo that redeems it.
/// </summary>
[GenerateSerializer, Immutable, Alias("OpenCode.CallerIdentity")]
public sealed record CallerIdentity(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string User,
    [property: Id(2)] IReadOnlyList<string> Roles,
    [property: Id(3)] string? ApiKeyId,
    [property: Id(4)] DateTimeOffset? ExpiresAt,
    [property: Id(5)] string? ApiKeyHash);
