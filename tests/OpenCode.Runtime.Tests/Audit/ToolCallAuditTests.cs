using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OpenCode.Abstractions;
using OpenCode.Runtime.Audit;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Tests.Audit;

/// <summary>Tool payloads are kept with secrets masked always, personal data only while <c>Privacy:MaskPii</c> is on.</summary>
public sealed class ToolCallAuditTests
{
    private static readonly ToolCallRecord Call = new()
    {
        Id = "call-1",
        Name = "send",
        ArgumentsJson = """{"to":{"email":"jane@example.com"},"password":"hunter2"}""",
        Result = "sent with Authorization: Bearer abcdefghijkl to jane@example.com",
    };

    [Theory]
    [InlineData(true, "[email]")]
    [InlineData(false, "jane@example.com")]
    public void Payloads_are_recorded_with_secrets_masked_and_personal_data_as_configured(bool maskPii, string email)
    {
        var audit = new ToolCallAudit(
            log: null!, Options.Create(new AuditOptions { IncludePayloads = true }), Options.Create(new PrivacyOptions { MaskPii = maskPii }), TimeProvider.System);

        var detail = JsonNode.Parse(audit.Record("acme/jane/c-1", "turn-1", Call).Detail!)!;

        Assert.Equal(email, (string?)detail["arguments"]!["to"]!["email"]);
        Assert.Equal("[secret]", (string?)detail["arguments"]!["password"]);
        Assert.Equal($"sent with Authorization: [secret] to {email}", (string?)detail["result"]);
    }
}
