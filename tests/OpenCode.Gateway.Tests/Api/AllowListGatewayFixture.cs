using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Api;

/// <summary>
/// A gateway with the policy of an authenticated deployment: only the listed endpoints (the fake model, a server
/// that redirects to the cloud metadata address) and the command <c>node</c> are allowed.
/// </summary>
public sealed class AllowListGatewayFixture : IAsyncLifetime
{
    public static readonly Uri MetadataAddress = new("http://169.254.169.254/latest/meta-data/");

    public FakeModelServer Model { get; private set; } = null!;

    /// <summary>Answers every request with a redirect to <see cref="MetadataAddress"/>; allowed by the list.</summary>
    public RedirectServer Redirector { get; private set; } = null!;

    public GatewayProcess Gateway { get; private set; } = null!;

    public HttpClient Client => Gateway.Client;

    public async Task InitializeAsync()
    {
        Model = await FakeModelServer.StartAsync();
        Redirector = await RedirectServer.StartAsync(MetadataAddress);
        Gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
        {
            ["Security__AuthenticationEnabled"] = "true",
            ["Security__AllowedEndpoints__0"] = $"http://127.0.0.1:{Model.BaseUrl.Port}",
            ["Security__AllowedEndpoints__1"] = $"http://127.0.0.1:{Redirector.BaseUrl.Port}",
            ["Security__AllowedCommands__0"] = "node",
        });
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Redirector.DisposeAsync();
        await Model.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AllowListGatewayCollection : ICollectionFixture<AllowListGatewayFixture>
{
    public const string Name = "allow-list gateway";
}
