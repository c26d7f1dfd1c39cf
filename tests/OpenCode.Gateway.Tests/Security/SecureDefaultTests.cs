using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>Without authentication the gateway is one local user's: it refuses to listen where others could reach it.</summary>
public sealed class SecureDefaultTests
{
    [Theory]
    [InlineData("ASPNETCORE_URLS", "http://0.0.0.0:{port}")]
    [InlineData("ASPNETCORE_URLS", "http://*:{port}")]
    [InlineData("ASPNETCORE_URLS", "http://127.0.0.1:{port};http://[::]:{other}")]
    [InlineData("ASPNETCORE_HTTP_PORTS", "{port}")]
    [InlineData("ASPNETCORE_HTTPS_PORTS", "{port}")]
    [InlineData("Kestrel__Endpoints__Open__Url", "http://0.0.0.0:{port}")]
    public async Task Without_authentication_a_non_loopback_address_is_refused_at_start(string variable, string value)
    {
        var url = value.Replace("{port}", LoopbackPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Replace("{other}", LoopbackPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = null,
            [variable] = url,
            ["OPENCODE_DATA_DIR"] = Directory.CreateTempSubdirectory("opencode-open-").FullName,
            ["Orleans__SiloPort"] = LoopbackPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = LoopbackPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        await using var process = ChildProcess.StartDotnet(RepositoryPaths.GatewayAssembly, [], environment, Path.GetDirectoryName(RepositoryPaths.GatewayAssembly));

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("without authentication", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_authentication_the_gateway_says_so_and_serves_the_local_user_on_loopback()
    {
        await using var gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
        {
            ["Logging__LogLevel__OpenCode"] = "Information",
        });

        Assert.Equal(System.Net.HttpStatusCode.OK, (await gateway.Client.GetAsync("/admin/api-keys")).StatusCode);
        Assert.Contains("Authentication is off", gateway.Output, StringComparison.Ordinal);
    }
}
