using OpenCode.Abstractions;
using OpenCode.Runtime.Audit;
using OpenCode.Runtime.Conversations;
using OpenCode.Runtime.Limits;
using OpenCode.Runtime.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using OpenCode.Testing;
using Orleans.TestingHost;

namespace OpenCode.Runtime.Tests.Conversations;

/// <summary>
/// One silo with the whole runtime on SQLite storage, and a fake model for its agents; <c>Limits</c> settings
/// (<see cref="LimitsOptions"/>) when given.
/// </summary>
public sealed class RuntimeCluster : IAsyncLifetime
{
    /// <summary>The user who owns the conversations these tests create.</summary>
    public const string Owner = "tester";

    private readonly IReadOnlyDictionary<string, string> _settings;

    public RuntimeCluster()
        : this(new Dictionary<string, string>())
    {
    }

    internal RuntimeCluster(IReadOnlyDictionary<string, string> settings) => _settings = settings;

    public TestCluster Cluster { get; private set; } = null!;

    public FakeModelServer Model { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>The SQLite file the silo keeps its reminders in.</summary>
    public string ReminderDatabasePath { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Model = await FakeModelServer.StartAsync();
        var builder = new TestClusterBuilder(initialSilosCount: 1);
        var databasePath = Path.Combine(Directory.CreateTempSubdirectory("opencode-runtime-").FullName, "state.db");
        builder.Properties["DatabasePath"] = databasePath;
        foreach (var (key, value) in _settings)
        {
            builder.Properties[key] = value;
        }

        ReminderDatabasePath = Path.ChangeExtension(databasePath, ".reminders.db");
        builder.AddSiloBuilderConfigurator<RuntimeSiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Model.DisposeAsync();
    }

    public IAgentGrain Agent(string id, string tenant = GrainKeys.LocalTenant) => Grains.GetGrain<IAgentGrain>(GrainKeys.Agent(tenant, id));

    public IConversationGrain Conversation(string id, string tenant = GrainKeys.LocalTenant, string owner = Owner) =>
        Grains.GetGrain<IConversationGrain>(GrainKeys.Conversation(tenant, owner, id));

    /// <summary>An agent on the fake model with a model name of its own (so its script is its own).</summary>
    public async Task<AgentSnapshot> CreateAgentAsync(Func<AgentConfig, AgentConfig>? customize = null, string tenant = GrainKeys.LocalTenant)
    {
        var id = "agent-" + Guid.NewGuid().ToString("N")[..10];
        var config = new AgentConfig
        {
            Id = id,
            Name = "Runtime test agent",
            Instructions = "Be brief.",
            Model = new ModelConfig { Provider = "openai", Name = "model-" + id, Endpoint = Model.BaseUrl.ToString() },
        };
        return await Agent(id, tenant).CreateAsync(customize?.Invoke(config) ?? config);
    }

    public async Task<string> CreateConversationAsync(string agentId, string owner = Owner, string tenant = GrainKeys.LocalTenant)
    {
        var id = ConversationIds.New();
        await Conversation(id, tenant, owner).CreateAsync(new NewConversation(agentId, null));
        return id;
    }

    private sealed class RuntimeSiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddSqliteGrainStorage(OpenCodeStorage.Name, o => o.DatabasePath = siloBuilder.Configuration["DatabasePath"]!);
            siloBuilder.Services.AddSqliteAuditLog(OpenCodeStorage.Name);
            siloBuilder.UseSqliteReminderService(o => o.DatabasePath = Path.ChangeExtension(siloBuilder.Configuration["DatabasePath"]!, ".reminders.db"));
            // Short, so a turn whose silo was killed resumes within the test.
            siloBuilder.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(2));
            siloBuilder.Services.Configure<TurnReminderOptions>(o => o.Period = TimeSpan.FromSeconds(2));
            siloBuilder.Services.Configure<LimitsOptions>(siloBuilder.Configuration.GetSection(LimitsOptions.Section));
            siloBuilder.Services.AddOpenCodeRuntime();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RuntimeClusterCollection : ICollectionFixture<RuntimeCluster>
{
    public const string Name = "runtime cluster";
}
