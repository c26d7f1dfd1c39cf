namespace OpenCode.Abstractions;

/// <summary>
/// One API key. Key: the SHA-256 of the key (hex), so the key itself is never stored and a presented key finds its
/// grain directly. Every authenticated request asks it, so a revocation holds on every silo at once.
/// </summary>
[Alias("OpenCode.IApiKeyGrain")]
public interface IApiKeyGrain : IGrainWithStringKey
{
    /// <summary>The key, or null when no key hashes to this grain's key.</summary>
    [Alias("Get")]
    Task<ApiKeyInfo?> GetAsync();

    /// <summary>Records the key; issuing the same id again changes nothing (bootstrap on several silos at once).</summary>
    [Alias("Issue")]
    Task<ApiKeyInfo> IssueAsync(ApiKeyInfo key);

    [Alias("Revoke")]
    Task<ApiKeyInfo?> RevokeAsync(DateTimeOffset at);

    /// <summary>
    /// Replaces the key's roles (a bootstrap key issued before a role change). A revoked key stays as it is; null when
    /// no key hashes to this grain's key.
    /// </summary>
    [Alias("SetRoles")]
    Task<ApiKeyRolesChange?> SetRolesAsync(IReadOnlyList<string> roles);
}
