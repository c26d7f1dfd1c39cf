using System.Net;
using System.Net.Http.Json;
using OpenCode.Gateway.Tests.Streaming;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Limits;

/// <summary><c>Limits:TenantTokensPerDay</c> over HTTP: once the day's tokens are spent, turns are refused.</summary>
public sealed class TokenBudgetTests(BudgetLimitedGateway gateway) : IClassFixture<BudgetLimitedGateway>
{
    [Fact]
    public async Task Once_the_tenants_tokens_of_the_day_are_spent_a_turn_gets_429_quota_exceeded()
    {
        var (agent, model) = await gateway.CreateAgentAsync();
        // One reply longer than the whole budget: the step is not cut short, and the budget is spent.
        var words = string.Join(' ', Enumerable.Repeat("token", BudgetLimitedGateway.TokensPerDay));
        gateway.Model.Script(model, FakeReply.Text(words));
        var conversation = await gateway.CreateConversationAsync(agent);

        var spending = await gateway.Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "spend it all" });
        var refused = await gateway.Client.PostAsJsonAsync($"/conversations/{conversation}/messages", new { message = "more" });
        using var refusedStream = await EventStreams.PostMessageAsync(gateway.Client, conversation, "more, streamed");

        Assert.Equal(HttpStatusCode.OK, spending.StatusCode);
        Assert.Equal(words, (string?)(await ReadAsync(spending))["content"]);
        await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "quota_exceeded");
        await AssertProblemAsync(refusedStream, HttpStatusCode.TooManyRequests, "quota_exceeded");
        Assert.Equal(2, (await EventStreams.HistoryAsync(gateway.Client, conversation)).Count);
    }
}
