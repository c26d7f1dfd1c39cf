using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenCode.Runtime.Audit;
using OpenCode.Runtime.Persistence;
using Orleans.Storage;

namespace OpenCode.Runtime.Tests.Hosting;

/// <summary>Which profile <see cref="SiloBuilderExtensions.UseOpenCodeSilo"/> builds from configuration (hosts built, not started).</summary>
public sealed class SiloProfileTests
{
    private const string Postgres = "Host=127.0.0.1;Port=1;Username=nobody;Database=none";
    private const string Redis = "127.0.0.1:1";

    [Fact]
    public void Without_connection_strings_the_silo_is_embedded_on_sqlite()
    {
        using var host = Build([]);

        Assert.IsType<SqliteGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>(OpenCodeStorage.Name));
        Assert.IsType<SqliteAuditLog>(host.Services.GetRequiredService<IAuditLog>());
        Assert.DoesNotContain(host.Services.GetServices<ILifecycleParticipant<ISiloLifecycle>>(), p => p is PostgresSchema);
    }

    [Fact]
    public void With_both_connection_strings_the_silo_joins_through_redis_and_keeps_state_and_reminders_in_postgres()
    {
        using var host = Build(new() { ["ConnectionStrings:Postgres"] = Postgres, ["ConnectionStrings:Redis"] = Redis });

        Assert.IsType<AdoNetGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>(OpenCodeStorage.Name));
        Assert.IsType<PostgresAuditLog>(host.Services.GetRequiredService<IAuditLog>());
        Assert.Contains(host.Services.GetServices<ILifecycleParticipant<ISiloLifecycle>>(), p => p is PostgresSchema);
        Assert.Contains("Redis", host.Services.GetRequiredService<IMembershipTable>().GetType().Name, StringComparison.Ordinal);
        Assert.Contains("AdoNet", host.Services.GetRequiredService<IReminderTable>().GetType().Name, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Postgres", "Redis")]
    [InlineData("Redis", "Postgres")]
    public void One_connection_string_alone_is_an_error_naming_the_missing_one(string given, string missing)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new() { [$"ConnectionStrings:{given}"] = given == "Postgres" ? Postgres : Redis }));

        Assert.Contains($"ConnectionStrings:{missing} is not", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shutdown_timeout_is_below_the_kubernetes_grace_period_and_configurable()
    {
        using (var host = Build([]))
        {
            Assert.Equal(TimeSpan.FromSeconds(SiloBuilderExtensions.DefaultShutdownTimeoutSeconds), host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
            Assert.True(SiloBuilderExtensions.DefaultShutdownTimeoutSeconds < 30);
        }

        using var configured = Build(new() { ["Orleans:ShutdownTimeoutSeconds"] = "7" });
        Assert.Equal(TimeSpan.FromSeconds(7), configured.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration["OPENCODE_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "opencode-profile-tests");
        builder.UseOrleans(silo => silo.UseOpenCodeSilo(builder.Configuration));
        return builder.Build();
    }
}
