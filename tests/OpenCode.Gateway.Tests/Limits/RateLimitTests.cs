using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using OpenCode.Testing;
using static OpenCode.Gateway.Tests.Api.AgentsApiTests;

namespace OpenCode.Gateway.Tests.Limits;

/// <summary>
/// <c>Limits:RequestsPerMinute</c> over real sockets, with the one local caller: its tests share its bucket, so each
/// first uses it up (or waits for a token) rather than counting on a full one.
/// </summary>
public sealed class RateLimitTests(RateLimitedGateway gateway) : IClassFixture<RateLimitedGateway>
{
    /// <summary>How often the bucket gets a token back: a minute over the rate.</summary>
    private static readonly TimeSpan TokenInterval = TimeSpan.FromMinutes(1) / RateLimitedGateway.RequestsPerMinute;

    [Fact]
    public async Task Requests_over_the_rate_get_429_rate_limited_with_Retry_After_and_so_does_a_WebSocket_upgrade()
    {
        var (allowed, refused) = await UseUpRateAsync();

        Assert.InRange(allowed, 0, RateLimitedGateway.RequestsPerMinute + 2);
        await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TokenInterval);

        using var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(WebSocketJsonClient.WebSocketUrl(gateway.Gateway.BaseUrl), CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, socket.HttpStatusCode);
    }

    [Fact]
    public async Task Health_ready_and_metrics_are_never_limited()
    {
        await UseUpRateAsync();

        for (var i = 0; i < RateLimitedGateway.RequestsPerMinute; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/health")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/metrics")).StatusCode);
        }
    }

    [Fact]
    public async Task Requests_over_a_WebSocket_take_from_the_same_rate_and_the_socket_stays_open()
    {
        await using var ws = await ConnectWhenAllowedAsync();

        JsonObject? refused = null;
        for (var i = 0; i <= RateLimitedGateway.RequestsPerMinute + 2 && refused is null; i++)
        {
            var response = await ws.RequestAsync("initialize");
            refused = response["error"] is null ? null : response;
        }

        Assert.NotNull(refused);
        Assert.Equal(-32029, (int?)refused["error"]!["code"]);
        Assert.Equal("rate_limited", (string?)refused["error"]!["data"]!["code"]);
        await Task.Delay(TokenInterval + TimeSpan.FromMilliseconds(500));
        var answered = await ws.RequestAsync("initialize");
        Assert.True(answered["error"] is null, answered.ToJsonString());
        Assert.Equal(WebSocketState.Open, ws.State);
    }

    /// <summary>Sends requests until one is refused: how many were allowed, and the refusal.</summary>
    private async Task<(int Allowed, HttpResponseMessage Refused)> UseUpRateAsync()
    {
        for (var allowed = 0; ; allowed++)
        {
            var response = await gateway.Client.GetAsync("/agents");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return (allowed, response);
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(allowed <= RateLimitedGateway.RequestsPerMinute + 2, "the rate was never enforced");
        }
    }

    /// <summary>The upgrade takes a token too: another test may have just used them up.</summary>
    private async Task<WebSocketJsonClient> ConnectWhenAllowedAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await WebSocketJsonClient.ConnectAsync(gateway.Gateway.BaseUrl);
            }
            catch (WebSocketException) when (attempt < 5)
            {
                await Task.Delay(TokenInterval);
            }
        }
    }
}
