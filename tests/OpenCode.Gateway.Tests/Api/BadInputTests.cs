using System.Net;
using System.Net.Http.Json;
using System.Text;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>Every endpoint answers bad input with a problem, never a 500.</summary>
[Collection(GatewayCollection.Name)]
public sealed class BadInputTests(GatewayFixture fixture)
{
    private HttpClient Client => fixture.Client;

    public static TheoryData<string, string> BodyEndpoints => new()
    {
        { "POST", "/agents" },
        { "PUT", "/agents/{agent}" },
        { "POST", "/conversations" },
        { "POST", "/conversations/{conversation}/messages" },
    };

    [Theory]
    [MemberData(nameof(BodyEndpoints))]
    public async Task Malformed_json_is_bad_request(string method, string path)
    {
        var response = await SendAsync(method, await ResolveAsync(path), Json("{\"message\": "));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_json");
    }

    [Theory]
    [MemberData(nameof(BodyEndpoints))]
    public async Task Wrong_content_type_is_unsupported_media_type(string method, string path)
    {
        var response = await SendAsync(method, await ResolveAsync(path), new StringContent("message=hi", Encoding.UTF8, "text/plain"));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Theory]
    [MemberData(nameof(BodyEndpoints))]
    public async Task Oversized_body_is_payload_too_large(string method, string path)
    {
        var huge = new string('x', (int)GatewayFixture.MaxBodyBytes + 1);

        var response = await SendAsync(method, await ResolveAsync(path), Json($$"""{"message": "{{huge}}"}"""));

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Theory]
    [InlineData("""{"message": 42}""")]
    [InlineData("""{"message": ["a"]}""")]
    [InlineData("""{"message": "hi", "extra": true}""")]
    [InlineData("""[]""")]
    [InlineData("""{"message": "\ud800"}""")]
    public async Task Wrong_types_and_unknown_fields_in_a_message_are_bad_request(string body)
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        var conversation = await fixture.CreateConversationAsync(agent);

        var response = await Client.PostAsync($"/conversations/{conversation}/messages", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"message": ""}""")]
    [InlineData("""{"message": "   "}""")]
    [InlineData("""{}""")]
    public async Task An_empty_message_is_a_validation_problem(string body)
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        var conversation = await fixture.CreateConversationAsync(agent);

        var response = await Client.PostAsync($"/conversations/{conversation}/messages", Json(body));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(problem["errors"]!["message"]);
    }

    [Theory]
    [InlineData("GET", "/agents/no-such-agent", "agent_not_found")]
    [InlineData("DELETE", "/agents/no-such-agent", "agent_not_found")]
    [InlineData("GET", "/agents/no-such-agent/tools", "agent_not_found")]
    [InlineData("GET", "/conversations/conv-missing", "conversation_not_found")]
    [InlineData("DELETE", "/conversations/conv-missing", "conversation_not_found")]
    [InlineData("GET", "/conversations/conv-missing/messages", "conversation_not_found")]
    public async Task Unknown_ids_are_not_found(string method, string path, string code)
    {
        var response = await SendAsync(method, path, null);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, code);
    }

    [Fact]
    public async Task Unknown_ids_in_bodies_are_not_found()
    {
        await AssertProblemAsync(
            await Client.PostAsJsonAsync("/conversations/conv-missing/messages", new { message = "hi" }), HttpStatusCode.NotFound, "conversation_not_found");
        await AssertProblemAsync(
            await Client.PostAsJsonAsync("/conversations", new { agentId = "no-such-agent" }), HttpStatusCode.NotFound, "agent_not_found");
        await AssertProblemAsync(
            await Client.PostAsJsonAsync("/conversations", new { agentId = "../other-tenant/agent" }), HttpStatusCode.NotFound, "agent_not_found");
        await AssertProblemAsync(
            await Client.PutAsync("/agents/no-such-agent", Json("""{ "name": "a", "model": { "provider": "openai", "name": "m" } }""")), HttpStatusCode.NotFound, "agent_not_found");
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=100000")]
    [InlineData("before=not-a-message")]
    public async Task Bad_paging_parameters_are_validation_problems(string query)
    {
        var (agent, _) = await fixture.CreateAgentAsync();
        var conversation = await fixture.CreateConversationAsync(agent);

        var response = await Client.GetAsync($"/conversations/{conversation}/messages?{query}");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Theory]
    [InlineData("cursor=999999")]
    [InlineData("cursor=garbage")]
    [InlineData("limit=0")]
    public async Task Bad_conversation_list_parameters_are_validation_problems(string query)
    {
        var response = await Client.GetAsync($"/conversations?{query}");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Theory]
    [InlineData("/conversations/..%2Fother")]
    [InlineData("/conversations/conv-not-hex-at-all-not-hex-at-all-xx")]
    [InlineData("/agents/a%2Fb")]
    public async Task Ids_this_server_never_issues_are_not_found(string path)
    {
        var response = await Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_non_numeric_limit_is_bad_request()
    {
        var response = await Client.GetAsync("/conversations?limit=many");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "bad_request");
    }

    [Fact]
    public async Task An_unknown_route_is_a_not_found_problem()
    {
        var response = await Client.GetAsync("/no/such/route");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    private async Task<string> ResolveAsync(string path)
    {
        if (path.Contains("{agent}", StringComparison.Ordinal))
        {
            return path.Replace("{agent}", (await fixture.CreateAgentAsync()).AgentId, StringComparison.Ordinal);
        }

        if (path.Contains("{conversation}", StringComparison.Ordinal))
        {
            var conversation = await fixture.CreateConversationAsync((await fixture.CreateAgentAsync()).AgentId);
            return path.Replace("{conversation}", conversation, StringComparison.Ordinal);
        }

        return path;
    }

    private Task<HttpResponseMessage> SendAsync(string method, string path, HttpContent? content) =>
        Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });
}
