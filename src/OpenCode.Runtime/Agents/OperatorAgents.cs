using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Agents;

/// <summary>
/// Agents the operator declares: JSON files in the config folder (<c>OPENCODE_CONFIG_DIR</c>, the
/// requirements mount <c>/app/config</c>) and <c>Agents:&lt;id&gt;</c> configuration sections.
/// Created or updated (as a new version, when changed) when the silo becomes active.
/// </summary>
public sealed partial class OperatorAgents(IConfiguration configuration, IGrainFactory grains, ILogger<OperatorAgents> logger)
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
        foreach (var config in Read())
        {
            var snapshot = await grains.GetGrain<IAgentGrain>(GrainKeys.Agent(configuration["Auth:DefaultTenant"] ?? GrainKeys.LocalTenant, config.Id!)).UpsertAsync(config);
            LogApplied(logger, snapshot.Id, snapshot.Version);
        }
    }

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
