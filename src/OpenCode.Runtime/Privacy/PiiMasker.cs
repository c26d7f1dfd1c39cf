using System.Buffers;
using System.Text.RegularExpressions;

namespace OpenCode.Runtime.Privacy;

/// <summary>
/// Finds personal data in free text and replaces it with a token (<see cref="MaskTokens"/>): e-mail addresses,
/// IBANs (ISO 13616 mod-97), payment card numbers (13–19 digits starting 2–6, Luhn), national ids (US SSN with
/// its invalid ranges excluded, Spanish DNI/NIE with their check letter, UK National Insurance numbers), and phone
/// numbers (+CC international forms, North American and trunk-prefix national forms with separators). Shapes are
/// strict so that years, times, dates, counts and plain ids stay as they are.
/// </summary>
/// <remarks>Text with nothing to mask comes back as the same instance, without allocating.</remarks>
public static partial class PiiMasker
{
    private const string DniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";

    // ISO 13616 registry countries: a check-digit match alone would let one random candidate in 97 through.
    private const string IbanCountries =
        "AD AE AL AT AZ BA BE BG BH BI BR BY CH CR CY CZ DE DJ DK DO EE EG ES FI FK FO FR GB GE GI GL GR GT HN HR HU IE IL IQ IS IT " +
        "JO KW KZ LB LC LI LT LU LV LY MC MD ME MK MN MR MT MU NI NL NO OM PK PL PS PT QA RO RS RU SA SC SD SE SI SK SM SO ST SV TL TN " +
        "TR UA VA VG XK YE";

    private static readonly SearchValues<char> DigitsAndAt = SearchValues.Create("0123456789@");

    // What a candidate may not follow: a word character (it would be the tail of a longer token), and for numbers
    // a dot, dash or plus (the tail of a decimal, a range, a date or another phone number). What it may not be
    // followed by: a word character.
    private const string WordCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
    private static readonly SearchValues<char> AfterWord = SearchValues.Create(WordCharacters);
    private static readonly SearchValues<char> AfterNumber = SearchValues.Create(WordCharacters + ".-+");
    private static readonly SearchValues<char> AfterPhoneNumber = SearchValues.Create(WordCharacters + ".-+:/");

    private static readonly MaskPattern Emails = new(EmailRegex(), MaskTokens.Email);
    private static readonly MaskPattern Ibans = new(IbanRegex(), MaskTokens.Iban, IbanLength, AfterWord, AfterWord);
    private static readonly MaskPattern Cards = new(CardRegex(), MaskTokens.Card, CardLength, AfterNumber, AfterWord);
    private static readonly MaskPattern SocialSecurityNumbers = new(SocialSecurityNumberRegex(), MaskTokens.NationalId, notAfter: AfterNumber);
    private static readonly MaskPattern SpanishIds = new(SpanishIdRegex(), MaskTokens.NationalId, SpanishIdLength, AfterNumber, AfterWord);
    private static readonly MaskPattern InsuranceNumbers = new(InsuranceNumberRegex(), MaskTokens.NationalId, notAfter: AfterWord);
    private static readonly MaskPattern InternationalPhones = new(InternationalPhoneRegex(), MaskTokens.Phone, InternationalPhoneLength, AfterWord);
    private static readonly MaskPattern NorthAmericanPhones = new(NorthAmericanPhoneRegex(), MaskTokens.Phone, notAfter: AfterNumber);
    private static readonly MaskPattern TrunkPrefixPhones = new(TrunkPrefixPhoneRegex(), MaskTokens.Phone, TrunkPrefixPhoneLength, AfterPhoneNumber);

    /// <summary><paramref name="text"/> with its personal data masked; the same instance when there is none.</summary>
    public static string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Every kind needs a digit or an '@': most text is done here.
        if (text.AsSpan().IndexOfAny(DigitsAndAt) < 0)
        {
            return text;
        }

        if (text.Contains('@', StringComparison.Ordinal))
        {
            text = Emails.Apply(text);
        }

        // Longest shapes first: once masked, a card number cannot be read as a phone number.
        text = Ibans.Apply(text);
        text = Cards.Apply(text);
        text = SocialSecurityNumbers.Apply(text);
        text = SpanishIds.Apply(text);
        text = InsuranceNumbers.Apply(text);
        text = InternationalPhones.Apply(text);
        text = NorthAmericanPhones.Apply(text);
        return TrunkPrefixPhones.Apply(text);
    }

    /// <summary>
    /// The longest prefix that ends a group of digits and has 13 to 19 digits passing the Luhn check: the regex may
    /// run on into a following number.
    /// </summary>
    private static int CardLength(ReadOnlySpan<char> candidate)
    {
        var valid = 0;
        var digits = 0;
        for (var i = 0; i < candidate.Length; i++)
        {
            if (!char.IsAsciiDigit(candidate[i]))
            {
                continue;
            }

            digits++;
            if (digits is >= 13 and <= 19 && EndsGroup(candidate, i) && PassesLuhn(candidate[..(i + 1)]))
            {
                valid = i + 1;
            }
        }

        return valid;
    }

    private static bool PassesLuhn(ReadOnlySpan<char> number)
    {
        var sum = 0;
        var doubled = false;
        for (var i = number.Length - 1; i >= 0; i--)
        {
            if (!char.IsAsciiDigit(number[i]))
            {
                continue;
            }

            var digit = number[i] - '0';
            if (doubled)
            {
                digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
            }

            sum += digit;
            doubled = !doubled;
        }

        return sum % 10 == 0;
    }

    /// <summary>
    /// The longest prefix that is a valid IBAN (15 to 34 characters, ending at a group boundary): the regex may run
    /// on into a following word. Mod-97 of the rearranged IBAN (BBAN, then country and check digits) is 1; it is
    /// computed over the BBAN as it is read, so every possible end costs one multiplication.
    /// </summary>
    private static int IbanLength(ReadOnlySpan<char> candidate)
    {
        if (!IbanCountries.AsSpan().Contains(candidate[..2], StringComparison.Ordinal))
        {
            return 0;
        }

        var check = (candidate[2] - '0') * 10 + (candidate[3] - '0');
        if (check is < 2 or > 98)
        {
            return 0;
        }

        // Country letters as two digits each (A = 10), then the check digits: the last six digits of the number.
        var tail = ((candidate[0] - 'A' + 10) * 100 + (candidate[1] - 'A' + 10)) * 100 + check;
        long remainder = 0;
        var characters = 4;
        var valid = 0;
        for (var i = 4; i < candidate.Length && characters < 34; i++)
        {
            var c = candidate[i];
            if (c == ' ')
            {
                continue;
            }

            remainder = char.IsAsciiDigit(c) ? (remainder * 10 + (c - '0')) % 97 : (remainder * 100 + (c - 'A' + 10)) % 97;
            characters++;
            if (characters >= 15 && EndsGroup(candidate, i) && (remainder * 1_000_000 + tail) % 97 == 1)
            {
                valid = i + 1;
            }
        }

        return valid;
    }

    /// <summary>The check letter of a DNI (8 digits) or NIE (X, Y or Z for 0, 1 or 2, then 7 digits).</summary>
    private static int SpanishIdLength(ReadOnlySpan<char> candidate)
    {
        var number = candidate[0] switch
        {
            'X' => 0,
            'Y' => 1,
            'Z' => 2,
            _ => candidate[0] - '0',
        };
        for (var i = 1; i < candidate.Length - 1; i++)
        {
            if (char.IsAsciiDigit(candidate[i]))
            {
                number = number * 10 + (candidate[i] - '0');
            }
        }

        return DniLetters[number % 23] == candidate[^1] ? candidate.Length : 0;
    }

    /// <summary>E.164: the longest prefix with 8 to 15 digits in all, no more than two separators in a row.</summary>
    private static int InternationalPhoneLength(ReadOnlySpan<char> candidate) => GroupedDigitsLength(candidate, 8, 15, 2);

    /// <summary>National numbers with a trunk prefix: 9 to 12 digits, groups split by one separator. Fewer digits make a date or a list of numbers.</summary>
    private static int TrunkPrefixPhoneLength(ReadOnlySpan<char> candidate) => GroupedDigitsLength(candidate, 9, 12, 1);

    /// <summary>
    /// The longest prefix ending a group of digits with <paramref name="minDigits"/> to <paramref name="maxDigits"/>
    /// digits; a run of more than <paramref name="maxSeparators"/> separators ends the number.
    /// </summary>
    private static int GroupedDigitsLength(ReadOnlySpan<char> candidate, int minDigits, int maxDigits, int maxSeparators)
    {
        var valid = 0;
        var digits = 0;
        var separators = 0;
        for (var i = 0; i < candidate.Length && digits < maxDigits; i++)
        {
            if (!char.IsAsciiDigit(candidate[i]))
            {
                if (++separators > maxSeparators)
                {
                    break;
                }

                continue;
            }

            separators = 0;
            digits++;
            if (digits >= minDigits && EndsGroup(candidate, i))
            {
                valid = i + 1;
            }
        }

        return valid;
    }

    /// <summary>Whether the character at <paramref name="index"/> is the last of the candidate or followed by a separator.</summary>
    private static bool EndsGroup(ReadOnlySpan<char> candidate, int index) =>
        index + 1 == candidate.Length || candidate[index + 1] is ' ' or '-' or '.' or '/' or '(' or ')';

    // Candidates are found with broad loops and checked in code, which keeps the longest valid prefix: a number
    // followed by another one (a card number and a year) is still found.

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,24}\b", RegexOptions.CultureInvariant)]
    private static partial Regex EmailRegex();

    [GeneratedRegex(@"[A-Z]{2}[0-9]{2}[A-Z0-9 ]{11,40}", RegexOptions.CultureInvariant)]
    private static partial Regex IbanRegex();

    [GeneratedRegex(@"[2-6][0-9][0-9 -]{11,25}", RegexOptions.CultureInvariant)]
    private static partial Regex CardRegex();

    [GeneratedRegex(@"(?!000|666|9)[0-9]{3}-(?!00)[0-9]{2}-(?!0000)[0-9]{4}(?![A-Za-z0-9_-])", RegexOptions.CultureInvariant)]
    private static partial Regex SocialSecurityNumberRegex();

    [GeneratedRegex(@"[0-9XYZ][0-9]{7}-?[A-Z]", RegexOptions.CultureInvariant)]
    private static partial Regex SpanishIdRegex();

    // Prefixes that are never issued (BG, GB, KN, NK, NT, TN, ZZ; D, F, I, Q, U, V anywhere; O second) are left alone.
    [GeneratedRegex(@"(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D](?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex InsuranceNumberRegex();

    // +44 20 7946 0958, +1 (555) 123-4567: a country code, then digits grouped with spaces, dots, dashes or parentheses.
    [GeneratedRegex(@"\+[1-9][0-9 .()-]{6,24}[0-9](?![0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex InternationalPhoneRegex();

    // (555) 123-4567, 555-123-4567, 555.123.4567: area codes start 2–9, and the separators are required.
    [GeneratedRegex(@"(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .-])[0-9]{3}[ .-][0-9]{4}(?![A-Za-z0-9_-]|[.,][0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex NorthAmericanPhoneRegex();

    // 030 12345678, 0171 1234567, 06 12 34 56 78, 020 7946 0958: a 0 trunk prefix and at least one separator.
    [GeneratedRegex(@"0[1-9][0-9]{0,4}[ /.-][0-9][0-9 /.-]{4,16}(?![A-Za-z0-9_:-]|[./,][0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex TrunkPrefixPhoneRegex();
}
