using System.Text.RegularExpressions;

namespace OpenCode.Runtime.Privacy;

/// <summary>
/// Replaces what looks like a credential in free text with <see cref="MaskTokens.Secret"/>: the value of an
/// <c>Authorization</c> header, a bearer token, the value of an <c>api_key</c>/<c>password</c>/<c>client_secret</c>
/// style setting, provider keys (<c>sk-…</c>, GitHub, Slack, AWS, Google), JWTs, and the password of a URL.
/// Labels stay, so a masked line still says what was there.
/// </summary>
/// <remarks>Text with nothing to mask comes back as the same instance, without allocating.</remarks>
public static partial class SecretMasker
{
    private static readonly MaskPattern Secrets = new(SecretRegex(), MaskTokens.Secret);

    /// <summary><paramref name="text"/> with its secrets masked; the same instance when there are none.</summary>
    public static string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Secrets.Apply(text);
    }

    /// <summary>
    /// Whether a field of this name holds a credential (a label <see cref="Mask"/> looks for): in structured data
    /// such as tool arguments the value stands alone, without the label in front that free text would have.
    /// </summary>
    public static bool IsCredentialName(string name) => CredentialNameRegex().IsMatch(name);

    // One alternation, so the text is scanned once; each alternative puts the credential in the "secret" group.
    [GeneratedRegex("""
        \b(?i:proxy-)?(?i:authorization)["']?\s*[:=]\s*["']?(?<secret>(?:(?i:bearer|basic|digest|token)\s+)?[^\s"',;]+)
        | \b(?i:bearer)\s+(?<secret>[A-Za-z0-9._~+/-]{8,}=*)
        | \b(?i:x-api-key|api[_-]?key|access[_-]?token|refresh[_-]?token|client[_-]?secret|secret[_-]?key|password|passwd)["']?\s*[:=]\s*["']?(?<secret>[^\s"'&,;]{4,})
        | (?<secret>\bsk-[A-Za-z0-9_-]{16,})
        | (?<secret>\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}))
        | (?<secret>\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)
        | ://[^/\s:@]+:(?<secret>[^/\s@]+)@
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex SecretRegex();

    [GeneratedRegex(
        "^(?:(?:proxy-)?authorization|x-api-key|api[_-]?key|access[_-]?token|refresh[_-]?token|client[_-]?secret|secret[_-]?key|password|passwd)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CredentialNameRegex();
}
