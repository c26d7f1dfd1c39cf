using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>With authentication on, every user has a request bucket of its own, shared by its API keys; anonymous routes still answer.</summary>
public sealed class RequestRateTests : IAsyncLifetime
{
    private const int PerMinute = 4;
    private readonly string _adminKey = "admin-" + Guid.NewGuid().ToString("N");
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
    {
        ["Auth__BootstrapAdminKey"] = _adminKey,
        ["Limits__RequestsPerMinute"] = PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Limits__FailedAuthenticationsPerMinute"] = PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public Task DisposeAsync() => _gateway.DisposeAsync().AsTask();

    [Fact]
    public async Task One_user_spending_its_requests_leaves_the_other_users_theirs()
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

    [Fact]
    public async Task Two_keys_of_one_user_share_the_users_requests()
    {
        using var admin = Client(_adminKey);
        var first = await IssueAsync(admin, "first", user: "carol");
        var second = await IssueAsync(admin, "second", user: "carol");
        using var firstClient = Client(first);
        using var secondClient = Client(second);

        for (var i = 0; i < PerMinute; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await (i % 2 == 0 ? firstClient : secondClient).GetAsync("/conversations")).StatusCode);
        }

        foreach (var client in new[] { firstClient, secondClient })
        {
            var refused = await client.GetAsync("/conversations");
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }
    }

    [Fact]
    public async Task An_address_whose_credentials_keep_being_refused_is_refused_before_they_are_looked_up()
    {
        using var guesser = Client("oc_made-up");
        // The address's bucket was made by the start-up probes and refills one token every 15 s: one refill may
        // land while the guesses are sent, so the refusal comes after PerMinute of them or one more.
        var guesses = 0;
        HttpResponseMessage refused;
        while ((refused = await guesser.GetAsync("/agents")).StatusCode == HttpStatusCode.Unauthorized && guesses <= PerMinute)
        {
            guesses++;
        }

        Assert.InRange(guesses, PerMinute, PerMinute + 1);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("rate_limited", problem["code"]!.GetValue<string>());
        Assert.Contains("Limits:FailedAuthenticationsPerMinute", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        // Refused before the key is looked up: from this address even the admin's key waits for the bucket to refill.
        using var admin = Client(_adminKey);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await admin.GetAsync("/agents")).StatusCode);
    }

    /// <summary>A key acting as <paramref name="user"/>, by default a user named like the key.</summary>
    private static async Task<string> IssueAsync(HttpClient admin, string name, string? user = null)
    {
        var response = await admin.PostAsJsonAsync("/admin/api-keys", new { name, user = user ?? name, roles = new[] { "user" } });
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
