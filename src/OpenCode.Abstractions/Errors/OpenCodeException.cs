namespace OpenCode.Abstractions;

/// <summary>
/// A failure the caller can act on, with a stable <see cref="Code"/> (see <see cref="ErrorCodes"/>)
/// that the gateway turns into a problem-details answer.
/// </summary>
[GenerateSerializer, Alias("OpenCode.OpenCodeException")]
public class OpenCodeException : Exception
{
    public OpenCodeException(string code, string message)
        : base(message) => Code = code;

    [Id(0)] public string Code { get; init; }
}
