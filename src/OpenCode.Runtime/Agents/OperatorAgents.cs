using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OpenCode.Abstractions;
using OpenCode.Runtime.Audit;

namespace OpenCode.Runtime.Agents;

/// <summary>
/// Agents the operator declares: JSON files in the config folder (<c>OPENCODE_CONFIG_DIR</c>, the
/// requirements mount <c>/app/config</c>) and <c>Agents:&lt;id&gt;</c> configuration sections.
/// Created or updated (as a new version, when changed) when the silo becomes active, and audited like an agent
/// written through the API, with <see cref="AuditActors.OperatorConfig"/> as the actor: only what changed, so
/// starting again with the same configuration records nothing.
/// </summary>
public sealed partial class OperatorAgents(IConfiguration configuration, IGrainFactory grains, IAuditLog audit, TimeProvider clock, ILogger<OperatorAgents> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(OperatorAgents), ServiceLifecycleStage.Active, ApplyAsync);

    public IEnumerable<AgentConfig> Read()
    {
        var folder = configuration["OPENCODE_CONFIG_DIR"];
        if (!string.IsNullOrEmpty(folder) && Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                var config = ParseAgent(JsonNode.Parse(File.ReadAllText(file)), file);
                yield return config.Id is null ? config with { Id = Path.GetFileNameWithoutExtension(file) } : config;
            }
        }

        foreach (var section in configuration.GetSection("Agents").GetChildren())
        {
            var config = ParseAgent(ToJson(section), $"Agents:{section.Key}", ConfigurationJson);
            yield return config with { Id = section.Key };
        }
    }

    /// <summary>
    /// An agent configuration, bare or wrapped as <c>{"agent": {...}}</c>. JSON that does not fit the
    /// configuration's shape is a validation failure naming the field.
    /// </summary>
    public static AgentConfig ParseAgent(JsonNode? node, string source, JsonSerializerOptions? options = null)
    {
        if (node is JsonObject wrapper && wrapper.Count == 1 && wrapper["agent"] is JsonObject inner)
        {
            node = inner;
        }

        try
        {
            return node?.Deserialize<AgentConfig>(options ?? OpenCodeJson.Options)
                ?? throw new JsonException($"{source}: expected an agent configuration object.");
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path[2..] : "agent";
            throw new ValidationFailedException([new FieldError(field, ex.Message)]);
        }
        catch (InvalidOperationException ex)
        {
            // The reader accepts escapes such as a lone "\ud800" but cannot turn them into a string.
            throw new ValidationFailedException([new FieldError("agent", ex.Message)]);
        }
    }

    /// <summary>Configuration values are all strings: numbers are read from them.</summary>
    private static readonly JsonSerializerOptions ConfigurationJson = new(OpenCodeJson.Options)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
    };

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var tenant = configuration["Auth:DefaultTenant"] ?? GrainKeys.LocalTenant;
        foreach (var config in Read())
        {
            var applied = await grains.GetGrain<IAgentGrain>(GrainKeys.Agent(tenant, config.Id!)).UpsertAsync(config);
            if (applied.Changed)
            {
                await RecordAsync(tenant, applied);
            }

            LogApplied(logger, applied.Agent.Id, applied.Agent.Version);
        }
    }

    /// <summary>The record the API appends for the same change; the grain said whether this silo made it, so racing silos record it once.</summary>
    private Task RecordAsync(string tenant, AgentUpsert applied) => audit.AppendAsync(
        new AuditEntry
        {
            At = clock.GetUtcNow(),
            Tenant = tenant,
            Actor = AuditActors.OperatorConfig,
            Action = applied.Created ? AuditActions.AgentCreated : AuditActions.AgentUpdated,
            ResourceType = AuditResourceTypes.Agent,
            ResourceId = applied.Agent.Id,
            Outcome = AuditOutcomes.Succeeded,
            Detail = new JsonObject { ["version"] = applied.Agent.Version }.ToJsonString(),
        },
        CancellationToken.None);

    /// <summary>A configuration section as JSON: values stay strings (numbers are read from strings), sections with keys 0..n are arrays.</summary>
    private static JsonNode? ToJson(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return section.Value is null ? null : JsonValue.Create(section.Value);
        }

        if (children.Select((c, i) => c.Key == i.ToString(System.Globalization.CultureInfo.InvariantCulture)).All(x => x))
        {
            return new JsonArray([.. children.Select(ToJson)]);
        }

        var result = new JsonObject();
        foreach (var child in children)
        {
            result[child.Key] = ToJson(child);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Operator-declared agent {AgentId} is at version {Version}")]
    private static partial void LogApplied(ILogger logger, string agentId, int version);
}
