using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>With authentication on, every API key has a request bucket of its own; anonymous routes still answer.</summary>
public sealed class RequestRateTests : IAsyncLifetime
{
    private const int PerMinute = 4;
    private readonly string _adminKey = "admin-" + Guid.NewGuid().ToString("N");
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
    {
        ["Auth__BootstrapAdminKey"] = _adminKey,
        ["Limits__RequestsPerMinute"] = PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public Task DisposeAsync() => _gateway.DisposeAsync().AsTask();

    [Fact]
    public async Task One_key_spending_its_requests_leaves_the_others_theirs()
    {
        using var admin = Client(_adminKey);
        var first = await IssueAsync(admin, "first");
        var second = await IssueAsync(admin, "second");
        using var firstClient = Client(first);
        using var secondClient = Client(second);

        for (var i = 0; i < PerMinute; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await firstClient.GetAsync("/conversations")).StatusCode);
        }

        var refused = await firstClient.GetAsync("/conversations");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await secondClient.GetAsync("/conversations")).StatusCode);
        // Anonymous routes are limited by address, not refused for want of a caller.
        Assert.Equal(HttpStatusCode.OK, (await _gateway.Client.GetAsync("/openapi/v1.json")).StatusCode);
    }

    private static async Task<string> IssueAsync(HttpClient admin, string name)
    {
        var response = await admin.PostAsJsonAsync("/admin/api-keys", new { name, roles = new[] { "user" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }

    private HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = _gateway.BaseUrl };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }
}
