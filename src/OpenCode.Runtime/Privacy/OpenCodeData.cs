using Microsoft.Extensions.Compliance.Classification;

namespace OpenCode.Runtime.Privacy;

/// <summary>
/// This project's data-classification taxonomy. Log parameters carry it as attributes (<see cref="PiiAttribute"/>,
/// <see cref="SecretAttribute"/>) and the logging pipeline redacts them (<see cref="OpenCode.Runtime.PrivacyHostBuilderExtensions.AddOpenCodePrivacy"/>).
/// </summary>
public static class OpenCodeData
{
    public const string TaxonomyName = "OpenCode";

    /// <summary>Free text that may carry personal data or a credential: user and model text, tool arguments and results, provider and server error messages.</summary>
    public static DataClassification Pii { get; } = new(TaxonomyName, nameof(Pii));

    /// <summary>A credential: logged, if at all, as nothing.</summary>
    public static DataClassification Secret { get; } = new(TaxonomyName, nameof(Secret));
}
