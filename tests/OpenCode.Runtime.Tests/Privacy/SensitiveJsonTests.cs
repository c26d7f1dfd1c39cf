using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Tests.Privacy;

public sealed class SensitiveJsonTests
{
    private const string Arguments = """{"to":{"email":"jane@example.com"},"note":"key sk-test-abcdefghijklmnop0123","token":["abc"],"card":4111111111111111}""";

    [Fact]
    public void Secrets_and_personal_data_are_masked_at_any_depth()
    {
        Assert.Equal(
            """{"to":{"email":"[email]"},"note":"key [secret]","token":"[secret]","card":"[card]"}""",
            SensitiveJson.Mask(Arguments, pii: true));
    }

    [Fact]
    public void Without_pii_only_secrets_are_masked()
    {
        Assert.Equal(
            """{"to":{"email":"jane@example.com"},"note":"key [secret]","token":"[secret]","card":4111111111111111}""",
            SensitiveJson.Mask(Arguments, pii: false));
    }

    [Fact]
    public void Text_that_is_not_json_is_masked_as_text_and_clean_json_returned_as_is()
    {
        Assert.Equal("{broken [email]", SensitiveJson.Mask("{broken jane@example.com", pii: true));
        var clean = """{"a":20,"b":[22,"x"],"c":{"d":null}}""";
        Assert.Same(clean, SensitiveJson.Mask(clean, pii: true));
    }

    [Theory]
    [InlineData("""{"password":12345678}""", """{"password":"[secret]"}""")]
    [InlineData("""{"password":{"new":"x","old":"y"}}""", """{"password":"[secret]"}""")]
    [InlineData("""{"api_keys":["a","b"],"token":""}""", """{"api_keys":"[secret]","token":"[secret]"}""")]
    [InlineData("""{"db":{"db_password":"x","private_key":"y","GITHUB_TOKEN":"z","clientSecret":"w"}}""", """{"db":{"db_password":"[secret]","private_key":"[secret]","GITHUB_TOKEN":"[secret]","clientSecret":"[secret]"}}""")]
    public void A_credential_named_field_is_masked_whole_whatever_its_value(string json, string expected) =>
        Assert.Equal(expected, SensitiveJson.Mask(json, pii: false));

    [Fact]
    public void A_null_or_true_false_credential_and_names_merely_containing_one_are_left_alone()
    {
        var json = """{"password":null,"remember_password":true,"secret":false,"tokens_used":12,"max_tokens":4096,"maxTokens":5,"token_count":3,"secretary":"Jane"}""";
        Assert.Same(json, SensitiveJson.Mask(json, pii: true));
        Assert.Null(SensitiveJson.Mask("remember_password", true, pii: true));
        Assert.Equal("[secret]", SensitiveJson.Mask("password", "hunter2", pii: false));
    }
}
