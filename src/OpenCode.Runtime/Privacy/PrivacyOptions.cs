namespace OpenCode.Runtime.Privacy;

/// <summary>The <c>Privacy</c> configuration section.</summary>
public sealed class PrivacyOptions
{
    public const string SectionName = "Privacy";

    /// <summary>
    /// Whether personal data and secrets are masked in what is sent to a model provider (default true). The
    /// conversation's history keeps the original text. Logs are masked whatever this says.
    /// </summary>
    public bool MaskPii { get; set; } = true;
}
