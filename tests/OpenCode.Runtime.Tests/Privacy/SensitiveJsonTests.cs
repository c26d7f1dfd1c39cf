using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Tests.Privacy;

public sealed class SensitiveJsonTests
{
    private const string Arguments = """{"to":{"email":"jane@example.com"},"note":"key sk-test-abcdefghijklmnop0123","token":["abc"],"card":4111111111111111}""";

    [Fact]
    public void Secrets_and_personal_data_are_masked_at_any_depth()
    {
        Assert.Equal(
            """{"to":{"email":"[email]"},"note":"key [secret]","token":["abc"],"card":"[card]"}""",
            SensitiveJson.Mask(Arguments, pii: true));
    }

    [Fact]
    public void Without_pii_only_secrets_are_masked()
    {
        Assert.Equal(
            """{"to":{"email":"jane@example.com"},"note":"key [secret]","token":["abc"],"card":4111111111111111}""",
            SensitiveJson.Mask(Arguments, pii: false));
    }

    [Fact]
    public void Text_that_is_not_json_is_masked_as_text_and_clean_json_returned_as_is()
    {
        Assert.Equal("{broken [email]", SensitiveJson.Mask("{broken jane@example.com", pii: true));
        var clean = """{"a":20,"b":[22,"x"],"c":{"d":null}}""";
        Assert.Same(clean, SensitiveJson.Mask(clean, pii: true));
    }
}
