namespace OpenCode.Abstractions;

/// <summary>An API key as the server keeps it: never the key itself, only what it grants.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.ApiKeyInfo")]
public sealed record ApiKeyInfo
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public required string Tenant { get; init; }

    /// <summary>The user the key acts as: it owns the conversations the key starts.</summary>
    [Id(3)] public required string User { get; init; }
    [Id(4)] public required IReadOnlyList<string> Roles { get; init; }
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who issued the key (null for the bootstrap key).</summary>
    [Id(6)] public string? CreatedBy { get; init; }
    [Id(7)] public DateTimeOffset? RevokedAt { get; init; }

    public bool IsRevoked => RevokedAt is not null;
}
