using System.Text.RegularExpressions;

namespace OpenCode.Runtime.Privacy;

/// <summary>
/// Replaces what looks like a credential in free text with <see cref="MaskTokens.Secret"/>: the value of an
/// <c>Authorization</c> header, a bearer token, the value of a setting named like a credential (<c>api_key</c>,
/// <c>DB_PASSWORD</c>, <c>client_secret</c>, <c>GITHUB_TOKEN</c>), provider keys (<c>sk-…</c>, GitHub, Slack, AWS, Google), JWTs, and the password of a URL.
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

    // The names a credential goes by, matched as the last segment of a name (db_password, GITHUB_TOKEN, clientSecret)
    // so that names merely containing one (max_tokens, tokens_used, secretary) are not. The optional prefixes catch
    // the same names run together (clientsecret, apikey). No plural for token: tokens are what a model counts. A
    // paging token (page_token, nextPageToken, continuation_token) is not a credential, and a model needs it to read on;
    // nor is PWD, the shell's working directory.
    private const string KeyNames =
        "passwords?|passwd|(?:client)?secrets?|(?<!(?:page|continuation|sync|cursor|resume)[_-]?)(?:access|refresh|auth)?token|(?:api|private|access|secret)[_-]?keys?|credentials?";

    // Apart from the others: its value may carry a scheme (Bearer, Basic) before the credential.
    private const string HeaderName = "authorization";

    // Where a name segment starts: a word's start, an underscore, or a camelCase hump. Case-sensitive, unlike the names.
    private const string SegmentStart = "(?:\\b|(?<=_)|(?<=[a-z0-9])(?=[A-Z]))";

    // One alternation, so the text is scanned once; each alternative puts the credential in the "secret" group.
    [GeneratedRegex($$"""
        {{SegmentStart}}(?i:{{HeaderName}})["']?\s*[:=]\s*["']?(?<secret>(?:(?i:bearer|basic|digest|token)\s+)?[^\s"',;]+)
        | \b(?i:bearer)\s+(?<secret>[A-Za-z0-9._~+/-]{8,}=*)
        | {{SegmentStart}}(?i:{{KeyNames}})["']?\s*[:=]\s*["']?(?<secret>[^\s"'&,;]{4,})
        | (?<secret>\bsk-[A-Za-z0-9_-]{16,})
        | (?<secret>\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}))
        | (?<secret>\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)
        | ://[^/\s:@]+:(?<secret>[^/\s@]+)@
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex SecretRegex();

    [GeneratedRegex($"{SegmentStart}(?i:{HeaderName}|{KeyNames})\\z", RegexOptions.CultureInvariant)]
    private static partial Regex CredentialNameRegex();
}
