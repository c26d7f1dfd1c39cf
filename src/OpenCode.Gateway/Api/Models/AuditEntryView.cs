using System.Text.Json;
using System.Text.Json.Nodes;
using OpenCode.Runtime.Audit;

namespace OpenCode.Gateway.Api.Models;

public sealed record AuditEntryView(
    long Id,
    DateTimeOffset At,
    string Tenant,
    string Actor,
    string Action,
    string ResourceType,
    string ResourceId,
    string? ConversationId,
    string Outcome,
    long? DurationMs,
    JsonNode? Detail)
{
    public static AuditEntryView From(AuditEntry entry) => new(
        entry.Id, entry.At, entry.Tenant, entry.Actor, entry.Action, entry.ResourceType, entry.ResourceId,
        entry.ConversationId, entry.Outcome, entry.DurationMs, DetailOf(entry.Detail));

    /// <summary>The detail is a JSON object; a writer that stored plain text gets it back as a string.</summary>
    private static JsonNode? DetailOf(string? detail)
    {
        if (detail is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(detail);
        }
        catch (JsonException)
        {
            return JsonValue.Create(detail);
        }
    }
}
