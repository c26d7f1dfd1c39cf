using OpenCode.Runtime.Security;
using OpenCode.Testing;

namespace OpenCode.Runtime.Tests.Security;

/// <summary>The handler every model and MCP HTTP client uses, over real loopback sockets.</summary>
public sealed class ConnectionGuardTests
{
    [Fact]
    public async Task A_redirect_is_returned_to_the_caller_and_not_followed()
    {
        await using var target = await RedirectServer.StartAsync(new Uri("http://127.0.0.1:1/"));
        await using var redirector = await RedirectServer.StartAsync(target.BaseUrl);
        using var guard = new ConnectionGuard(TestEndpointPolicies.Create());
        using var client = new HttpClient(guard.CreateHandler());

        using var response = await client.GetAsync(redirector.BaseUrl);

        Assert.Equal(System.Net.HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(1, redirector.Requests);
        Assert.Equal(0, target.Requests);
    }

    [Fact]
    public async Task A_connection_to_an_address_the_policy_does_not_name_is_refused_before_it_is_made()
    {
        await using var server = await RedirectServer.StartAsync(new Uri("http://127.0.0.1:1/"));
        using var wildcard = new ConnectionGuard(TestEndpointPolicies.Create(authenticated: true, endpoints: ["http://*:*"]));
        using var named = new ConnectionGuard(TestEndpointPolicies.Create(authenticated: true, endpoints: ["http://127.0.0.1:*"]));
        using var refusedClient = new HttpClient(wildcard.CreateHandler());
        using var allowedClient = new HttpClient(named.CreateHandler());

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => refusedClient.GetAsync(server.BaseUrl));
        using var allowed = await allowedClient.GetAsync(server.BaseUrl);

        Assert.Contains("loopback, link-local or metadata address", refused.ToString());
        Assert.Equal(1, server.Requests);
        Assert.Equal(System.Net.HttpStatusCode.Found, allowed.StatusCode);
    }
}
