namespace OpenCode.Abstractions;

/// <summary>
/// Every API key by id, for the admin API (list, revoke by id). Key: <see cref="GrainKeys.ApiKeyDirectory"/>. Only
/// key administration calls it: authenticating a request goes to the key's own <see cref="IApiKeyGrain"/>.
/// </summary>
[Alias("OpenCode.IApiKeyDirectoryGrain")]
public interface IApiKeyDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Records a key whose grain key is <paramref name="hash"/>.</summary>
    [Alias("Add")]
    Task AddAsync(string hash, ApiKeyInfo key);

    /// <summary>The keys of <paramref name="tenant"/>, or of every tenant when null, oldest first.</summary>
    [Alias("List")]
    Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string? tenant);

    /// <summary>The key with this id, or null.</summary>
    [Alias("Get")]
    Task<ApiKeyInfo?> GetAsync(string id);

    /// <summary>Revokes the key with this id: from now on it authenticates nothing. Null when there is no such key.</summary>
    [Alias("Revoke")]
    Task<ApiKeyInfo?> RevokeAsync(string id);

    /// <summary>Replaces the roles of the key with this id (see <see cref="IApiKeyGrain.SetRolesAsync"/>). Null when there is no such key.</summary>
    [Alias("SetRoles")]
    Task<ApiKeyRolesChange?> SetRolesAsync(string id, IReadOnlyList<string> roles);
}
