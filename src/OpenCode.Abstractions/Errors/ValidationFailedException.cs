namespace OpenCode.Abstractions;

/// <summary>Input that breaks a rule; <see cref="Errors"/> names each offending field.</summary>
[GenerateSerializer, Alias("OpenCode.ValidationFailedException")]
public sealed class ValidationFailedException : OpenCodeException
{
    public ValidationFailedException(IReadOnlyList<FieldError> errors)
        : base(ErrorCodes.ValidationFailed, Describe(errors)) => Errors = errors;

    [Id(0)] public IReadOnlyList<FieldError> Errors { get; init; }

    private static string Describe(IReadOnlyList<FieldError> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"));
}
