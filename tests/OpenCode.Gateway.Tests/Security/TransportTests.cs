using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using OpenCode.Gateway.Tests.Api;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>What browsers get: security headers, CORS closed unless configured, no cross-origin requests, HSTS over HTTPS.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TransportTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Every_answer_carries_the_security_headers()
    {
        foreach (var path in new[] { "/health", "/agents", "/conversations/conv-none" })
        {
            var response = await fixture.Client.GetAsync(path);

            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Cors_is_closed_by_default_and_a_foreign_page_cannot_post_or_open_a_websocket()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/agents");
        preflight.Headers.Add("Origin", "https://evil.test");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        var answer = await fixture.Client.SendAsync(preflight);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));

        // A form-style POST a browser sends without a preflight: refused before it does anything.
        var agentId = (await fixture.CreateAgentAsync()).AgentId;
        var conversationId = await fixture.CreateConversationAsync(agentId);
        using var post = new HttpRequestMessage(HttpMethod.Post, $"/conversations/{conversationId}/cancel");
        post.Headers.Add("Origin", "https://evil.test");
        var refused = await fixture.Client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("origin_not_allowed", (await refused.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>());

        var socket = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => WebSocketJsonClient.ConnectAsync(
            WebSocketJsonClient.WebSocketUrl(fixture.Gateway.BaseUrl), o => o.SetRequestHeader("Origin", "https://evil.test")));
        Assert.Contains("403", socket.Message, StringComparison.Ordinal);

        // The gateway's own origin is fine (a UI it serves).
        using var own = new HttpRequestMessage(HttpMethod.Get, "/agents");
        own.Headers.Add("Origin", fixture.Gateway.BaseUrl.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client.SendAsync(own)).StatusCode);
    }

    [Fact]
    public async Task Without_authentication_a_host_name_other_than_loopback_is_refused()
    {
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/agents");
        rebound.Headers.Host = "attacker.test";

        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Client.SendAsync(rebound)).StatusCode);
    }

    [Fact]
    public async Task Configured_origins_get_cors_answers_and_https_answers_carry_hsts()
    {
        var (httpPort, httpsPort) = (LoopbackPort.Next(), LoopbackPort.Next());
        var certificate = Path.Combine(Directory.CreateTempSubdirectory("opencode-tls-").FullName, "gateway.pfx");
        await File.WriteAllBytesAsync(certificate, SelfSignedCertificate());
        var environment = GatewayRuntimeSettings.Environment.ToDictionary(e => e.Key, e => (string?)e.Value);
        foreach (var (key, value) in new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort};https://127.0.0.1:{httpsPort}",
            ["Kestrel__Certificates__Default__Path"] = certificate,
            ["Kestrel__Certificates__Default__Password"] = "test",
            ["Cors__AllowedOrigins__0"] = "https://app.example",
            ["AllowedHosts"] = "*",
            ["OPENCODE_DATA_DIR"] = Directory.CreateTempSubdirectory("opencode-tls-data-").FullName,
            ["Orleans__SiloPort"] = LoopbackPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = LoopbackPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            [TestServices.PostgresVariable] = null,
            [TestServices.RedisVariable] = null,
        })
        {
            environment[key] = value;
        }

        await using var gateway = ChildProcess.StartDotnet(RepositoryPaths.GatewayAssembly, [], environment, Path.GetDirectoryName(RepositoryPaths.GatewayAssembly));
        using var https = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
        {
            BaseAddress = new Uri($"https://127.0.0.1:{httpsPort}"),
        };

        // Kestrel serves each address as soon as it is bound, so the first may answer before the second listens.
        await gateway.WaitForHttpOkAsync(new Uri($"http://127.0.0.1:{httpPort}/ready"), TimeSpan.FromSeconds(60));
        await gateway.WaitForHttpOkAsync(new Uri($"https://127.0.0.1:{httpsPort}/ready"), TimeSpan.FromSeconds(60), https);

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/agents");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key");
        var cors = await https.SendAsync(preflight);
        Assert.Equal("https://app.example", cors.Headers.GetValues("Access-Control-Allow-Origin").Single());

        // HSTS is not sent to localhost names: ask for the gateway under a real-looking one.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Host = "opencode.example";
        var secure = await https.SendAsync(request);
        Assert.Contains("max-age=31536000", secure.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        using var plain = new HttpClient();
        Assert.False((await plain.GetAsync($"http://127.0.0.1:{httpPort}/health")).Headers.Contains("Strict-Transport-Security"));
    }

    private static byte[] SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.Export(X509ContentType.Pfx, "test");
    }
}
