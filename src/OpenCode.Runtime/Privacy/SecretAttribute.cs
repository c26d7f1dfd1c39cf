using Microsoft.Extensions.Compliance.Classification;

namespace OpenCode.Runtime.Privacy;

/// <summary>Marks a log parameter as <see cref="OpenCodeData.Secret"/>: it is logged as an empty value.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecretAttribute() : DataClassificationAttribute(OpenCodeData.Secret);
