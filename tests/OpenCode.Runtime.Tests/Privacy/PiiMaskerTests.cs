using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Tests.Privacy;

public sealed class PiiMaskerTests
{
    [Theory]
    [InlineData("Write to jane.doe@example.com today", "Write to [email] today")]
    [InlineData("cc: ops+alerts@mail.example.co.uk.", "cc: [email].")]
    [InlineData("Pay with 4111 1111 1111 1111 please", "Pay with [card] please")]
    [InlineData("card 4111-1111-1111-1111", "card [card]")]
    [InlineData("card 5555555555554444", "card [card]")]
    [InlineData("amex 378282246310005.", "amex [card].")]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00 EUR", "IBAN [iban] EUR")]
    [InlineData("IBAN DE89370400440532013000", "IBAN [iban]")]
    [InlineData("to GB82 WEST 1234 5698 7654 32.", "to [iban].")]
    [InlineData("SSN 123-45-6789", "SSN [national-id]")]
    [InlineData("DNI 12345678Z", "DNI [national-id]")]
    [InlineData("NIE X1234567L", "NIE [national-id]")]
    [InlineData("NI number AB 12 34 56 C", "NI number [national-id]")]
    [InlineData("NI number AB123456C", "NI number [national-id]")]
    [InlineData("Call +1 (555) 123-4567 now", "Call [phone] now")]
    [InlineData("Call +44 20 7946 0958", "Call [phone]")]
    [InlineData("Ruf +49 30 12345678 an", "Ruf [phone] an")]
    [InlineData("Appelle +33 6 12 34 56 78", "Appelle [phone]")]
    [InlineData("Call (555) 123-4567", "Call [phone]")]
    [InlineData("Call 555-123-4567 or 555.123.4567", "Call [phone] or [phone]")]
    [InlineData("Ruf 030 12345678 oder 0171 1234567 an", "Ruf [phone] oder [phone] an")]
    [InlineData("Appelle 06 12 34 56 78", "Appelle [phone]")]
    [InlineData("Ring 020 7946 0958", "Ring [phone]")]
    public void Personal_data_is_masked(string text, string expected) => Assert.Equal(expected, PiiMasker.Mask(text));

    [Theory]
    [InlineData("In 2024 we shipped 3 releases and 15 fixes")]
    [InlineData("order 123456789 and ticket #4521")]
    [InlineData("at 12:30:45 on 2024-01-15T10:30:00Z")]
    [InlineData("dates 01.02.2024, 05/06/2024 and 2024-01-15 09:30:00")]
    [InlineData("version 10.0.15 on 192.168.1.10:8080")]
    [InlineData("it costs 1,234.56 EUR or 1234567.89")]
    [InlineData("unix time 1717171717 or 1717171717171 ms")]
    [InlineData("id 1234567890123456")]
    [InlineData("not a card: 4111 1111 1111 1112")]
    [InlineData("not an IBAN: GB82 WEST 1234 5698 7654 33")]
    [InlineData("not an IBAN: ZZ82 WEST 1234 5698 7654 32")]
    [InlineData("not SSNs: 000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000")]
    [InlineData("not a DNI: 12345678A")]
    [InlineData("not NI numbers: BG123456C QQ123456C")]
    [InlineData("numbers 07 08 09 10 and +5 and 2+3")]
    [InlineData("guid 3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("handles @mention, a@b and user@localhost")]
    public void Ordinary_text_and_numbers_are_left_alone(string text) => Assert.Same(text, PiiMasker.Mask(text));

    [Fact]
    public void Text_without_personal_data_is_returned_as_is_without_allocating()
    {
        // Digits, an '@', a '+' and capitals: every pattern looks at it.
        var text = "At 12:30 on 2024-01-15, @team: 3 of 42 DEPLOYS passed (+5 since version 10.0.15). " + new string('x', 1000);

        Assert.Same(text, PiiMasker.Mask(text));
        Assert.Equal(0, SteadyStateAllocations.PerCall(() => PiiMasker.Mask(text)));
    }

    [Fact]
    public void Several_kinds_in_one_text_are_all_masked()
    {
        var masked = PiiMasker.Mask("Jane (jane@example.com, +44 20 7946 0958) paid 4111 1111 1111 1111 from DE89370400440532013000.");

        Assert.Equal("Jane ([email], [phone]) paid [card] from [iban].", masked);
    }
}
