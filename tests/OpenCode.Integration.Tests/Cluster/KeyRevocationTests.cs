using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenCode.Testing;

namespace OpenCode.Integration.Tests.Cluster;

/// <summary>API keys in a cluster: both silos bootstrap the same admin key, and a key revoked through one silo is refused by the other at once.</summary>
public sealed class KeyRevocationTests
{
    [Fact]
    public async Task A_key_revoked_through_one_silo_is_refused_by_the_other_on_the_next_request()
    {
        var adminKey = "admin-" + Guid.NewGuid().ToString("N");
        await using var database = await PostgresDatabase.CreateAsync();
        await using var cluster = await GatewayCluster.StartAsync(2, database.ConnectionString, new Dictionary<string, string?>
        {
            ["Auth__BootstrapAdminKey"] = adminKey,
        });
        using var adminOnFirst = Client(cluster.Gateways[0], adminKey);
        using var adminOnSecond = Client(cluster.Gateways[1], adminKey);
        Assert.Equal(HttpStatusCode.OK, (await adminOnSecond.GetAsync("/admin/api-keys")).StatusCode);

        var issued = await adminOnFirst.PostAsJsonAsync("/admin/api-keys", new { name = "roaming", roles = new[] { "user" } });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var body = (await issued.Content.ReadFromJsonAsync<JsonObject>())!;
        using var keyOnSecond = Client(cluster.Gateways[1], body["key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await keyOnSecond.GetAsync("/conversations")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await adminOnFirst.DeleteAsync($"/admin/api-keys/{body["id"]!.GetValue<string>()}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await keyOnSecond.GetAsync("/conversations")).StatusCode);
        var keys = (await adminOnSecond.GetFromJsonAsync<JsonObject>("/admin/api-keys"))!["keys"]!.AsArray();
        Assert.Single(keys, k => k!["name"]!.GetValue<string>() == "bootstrap-admin");
    }

    private static HttpClient Client(GatewayProcess gateway, string key)
    {
        var client = new HttpClient { BaseAddress = gateway.BaseUrl };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }
}
