namespace OpenCode.Abstractions;

/// <summary>
/// Input that breaks a rule; <see cref="Errors"/> names each offending field. The code is <c>validation_failed</c>
/// unless a more precise one says which rule (<see cref="ErrorCodes.EndpointNotAllowed"/>).
/// </summary>
[GenerateSerializer, Alias("OpenCode.ValidationFailedException")]
public sealed class ValidationFailedException : OpenCodeException
{
    public ValidationFailedException(IReadOnlyList<FieldError> errors, string code = ErrorCodes.ValidationFailed)
        : base(code, Describe(errors)) => Errors = errors;

    [Id(0)] public IReadOnlyList<FieldError> Errors { get; init; }

    private static string Describe(IReadOnlyList<FieldError> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"));
}
