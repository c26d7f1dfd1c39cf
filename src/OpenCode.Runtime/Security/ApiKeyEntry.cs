using OpenCode.Abstractions;

namespace OpenCode.Runtime.Security;

/// <summary>A key in the directory: its grants and the hash that names its <see cref="IApiKeyGrain"/>.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.ApiKeyEntry")]
public sealed record ApiKeyEntry([property: Id(0)] string Hash, [property: Id(1)] ApiKeyInfo Key);
