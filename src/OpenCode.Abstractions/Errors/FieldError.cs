namespace OpenCode.Abstractions;

/// <summary>One validation failure; <see cref="Field"/> is a JSON path such as <c>model.temperature</c>.</summary>
[GenerateSerializer, Immutable, Alias("OpenCode.FieldError")]
public sealed record FieldError([property: Id(0)] string Field, [property: Id(1)] string Message);
