namespace OpenCode.Abstractions;

/// <summary>
/// What <see cref="IApiKeyGrain.SetRolesAsync"/> did: the key as it now is, and the roles it held before when this call
/// changed them (null when it changed nothing: a revoked key, or one holding these roles already). Told by the grain,
/// so silos racing to upgrade the same key learn that only one of them changed anything.
/// </summary>
[GenerateSerializer, Immutable, Alias("OpenCode.ApiKeyRolesChange")]
public sealed record ApiKeyRolesChange(
    [property: Id(0)] ApiKeyInfo Key,
    [property: Id(1)] IReadOnlyList<string>? PreviousRoles);
