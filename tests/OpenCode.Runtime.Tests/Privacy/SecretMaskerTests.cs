using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Tests.Privacy;

public sealed class SecretMaskerTests
{
    [Theory]
    [InlineData("Authorization: Bearer abc.def.ghi", "Authorization: [secret]")]
    [InlineData("\"authorization\":\"Basic dXNlcjpwYXNz\"", "\"authorization\":\"[secret]\"")]
    [InlineData("sent Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "sent Bearer [secret]")]
    [InlineData("key sk-proj-abcdefghijklmnop123456 here", "key [secret] here")]
    [InlineData("key sk-ant-api03-abcdefghijklmnopqrstuv", "key [secret]")]
    [InlineData("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "token [secret]")]
    [InlineData("?api_key=abcd1234efgh&x=1", "?api_key=[secret]&x=1")]
    [InlineData("{\"password\": \"hunter22\"}", "{\"password\": \"[secret]\"}")]
    [InlineData("x-api-key: 0123456789abcdef", "x-api-key: [secret]")]
    [InlineData("https://user:p4ssw0rd@example.com/x", "https://user:[secret]@example.com/x")]
    [InlineData("gh ghp_abcdefghijklmnopqrstuvwxyz0123456789", "gh [secret]")]
    [InlineData("aws AKIAABCDEFGHIJKLMNOP", "aws [secret]")]
    [InlineData("DB_PASSWORD=hunter22", "DB_PASSWORD=[secret]")]
    [InlineData("export GITHUB_TOKEN=abcd1234", "export GITHUB_TOKEN=[secret]")]
    [InlineData("{\"clientSecret\": \"abcd1234\"}", "{\"clientSecret\": \"[secret]\"}")]
    [InlineData("Proxy-Authorization: Basic dXNlcjpwYXNz", "Proxy-Authorization: [secret]")]
    public void Credentials_are_masked_and_their_labels_kept(string text, string expected) => Assert.Equal(expected, SecretMasker.Mask(text));

    [Theory]
    [InlineData("the bearer of bad news")]
    [InlineData("a task-list and a skeleton key")]
    [InlineData("a password is required; the authorization was granted")]
    [InlineData("see https://example.com/path?q=1")]
    [InlineData("max_tokens: 4096, tokens_used=1234, maxTokens: 2048, secretary: Jane Doe")]
    [InlineData("{\"nextPageToken\": \"CAUQAA\", \"page_token\": \"p-2\", \"continuation_token\": \"abcd\"}")]
    [InlineData("PWD=/home/dev/repo")]
    public void Ordinary_text_is_left_alone(string text) => Assert.Same(text, SecretMasker.Mask(text));

    [Theory]
    [InlineData("token")]
    [InlineData("secret")]
    [InlineData("password")]
    [InlineData("db_password")]
    [InlineData("private_key")]
    [InlineData("auth_token")]
    [InlineData("github_token")]
    [InlineData("GITHUB_TOKEN")]
    [InlineData("client_secret")]
    [InlineData("clientSecret")]
    [InlineData("clientsecret")]
    [InlineData("x-api-key")]
    [InlineData("apiKey")]
    [InlineData("Proxy-Authorization")]
    [InlineData("credentials")]
    public void Credential_names_are_recognised_by_their_last_segment(string name) => Assert.True(SecretMasker.IsCredentialName(name));

    [Theory]
    [InlineData("tokens_used")]
    [InlineData("max_tokens")]
    [InlineData("maxTokens")]
    [InlineData("token_count")]
    [InlineData("secretary")]
    [InlineData("tokenizer")]
    [InlineData("keyboard")]
    [InlineData("author")]
    [InlineData("page_token")]
    [InlineData("nextPageToken")]
    [InlineData("pageToken")]
    [InlineData("continuation_token")]
    [InlineData("PWD")]
    public void Names_merely_containing_a_credential_name_are_not(string name) => Assert.False(SecretMasker.IsCredentialName(name));

    [Fact]
    public void Text_without_secrets_is_returned_as_is_without_allocating()
    {
        var text = "Nothing secret here: 42 tasks, a skeleton and " + new string('x', 1000);

        Assert.Same(text, SecretMasker.Mask(text));
        Assert.Equal(0, SteadyStateAllocations.PerCall(() => SecretMasker.Mask(text)));
    }
}
