using OpenCode.Abstractions;

namespace OpenCode.Runtime.Security;

[GenerateSerializer, Alias("OpenCode.ApiKeyState")]
public sealed class ApiKeyState
{
    /// <summary>Null until issued; a revoked key stays so its hash can never be issued again.</summary>
    [Id(0)] public ApiKeyInfo? Key { get; set; }
}
