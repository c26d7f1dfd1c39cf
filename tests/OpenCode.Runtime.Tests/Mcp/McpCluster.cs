using OpenCode.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenCode.Runtime.Mcp;
using Orleans.TestingHost;

namespace OpenCode.Runtime.Tests.Mcp;

/// <summary>
/// One silo with <see cref="McpServiceCollectionExtensions.AddMcpTools"/> and the <see cref="McpTestSecrets"/> in its
/// configuration (plus any settings a derived cluster adds), shared by the MCP tests.
/// </summary>
public class McpCluster : IAsyncLifetime
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public McpCluster()
        : this(new Dictionary<string, string?>())
    {
    }

    protected McpCluster(IReadOnlyDictionary<string, string?> settings) => _settings = settings;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>The catalog as the silo's own code gets it: from the silo's container.</summary>
    public ToolCatalog Catalog =>
        ((InProcessSiloHandle)Cluster.Primary!).SiloHost!.Services.GetRequiredService<ToolCatalog>();

    public IMcpConnectionGrain Connection(McpServerSpec spec) => Grains.GetGrain<IMcpConnectionGrain>(spec.Key);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 1);
        builder.AddSiloBuilderConfigurator<McpSiloConfigurator>();
        builder.ConfigureHostConfiguration(configuration => configuration
            .AddInMemoryCollection(McpTestSecrets.Configuration)
            .AddInMemoryCollection(_settings));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class McpSiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.AddMcpTools();
    }
}

[CollectionDefinition(Name)]
public sealed class McpClusterCollection : ICollectionFixture<McpCluster>
{
    public const string Name = "MCP cluster";
}
