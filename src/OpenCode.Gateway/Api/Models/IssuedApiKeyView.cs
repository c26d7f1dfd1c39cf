using OpenCode.Abstractions;

namespace OpenCode.Gateway.Api.Models;

/// <summary>A new key: the only answer that ever shows <see cref="Key"/>.</summary>
public sealed record IssuedApiKeyView(string Id, string Key, string Name, string Tenant, string User, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt)
{
    public static IssuedApiKeyView From(ApiKeyInfo info, string key) =>
        new(info.Id, key, info.Name, info.Tenant, info.User, info.Roles, info.CreatedAt);
}
