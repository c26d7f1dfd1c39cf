using Microsoft.Extensions.Compliance.Classification;

namespace OpenCode.Runtime.Privacy;

/// <summary>Marks a log parameter as <see cref="OpenCodeData.Pii"/>: it is logged with personal data and secrets masked.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PiiAttribute() : DataClassificationAttribute(OpenCodeData.Pii);
