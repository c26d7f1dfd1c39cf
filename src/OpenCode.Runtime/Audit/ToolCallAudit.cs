using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OpenCode.Abstractions;
using OpenCode.Runtime.Privacy;

namespace OpenCode.Runtime.Audit;

/// <summary>
/// The <c>tool.called</c> records of a conversation's turns. The conversation takes a record when a call reaches its
/// final status and appends it just before the checkpoint that makes that status durable. If the append fails (after
/// the store's own retries), the checkpoint fails like any storage failure: the turn stops and later resumes from the
/// previous checkpoint, where the call is not final yet, so it is reported (and recorded) again. A record is therefore
/// never lost, and may exist twice when the process dies between the append and the checkpoint.
/// </summary>
/// <remarks>
/// Payloads (with <c>Audit:IncludePayloads</c>) are kept with secrets masked, and personal data too while
/// <c>Privacy:MaskPii</c> is on: the audit log keeps them for good and the admin API hands them out.
/// </remarks>
public sealed class ToolCallAudit(IAuditLog log, IOptions<AuditOptions> options, IOptions<PrivacyOptions> privacy, TimeProvider clock)
{
    /// <summary>The record of <paramref name="call"/>, made by the conversation <paramref name="conversationKey"/> for its owner.</summary>
    public AuditEntry Record(string conversationKey, string? turnId, ToolCallRecord call) => new()
    {
        At = clock.GetUtcNow(),
        Tenant = GrainKeys.TenantOf(conversationKey),
        Actor = GrainKeys.OwnerOf(conversationKey),
        Action = AuditActions.ToolCalled,
        ResourceType = AuditResourceTypes.Tool,
        ResourceId = call.Name,
        ConversationId = GrainKeys.IdOf(conversationKey),
        Outcome = call.Status,
        DurationMs = (long)Math.Round(call.DurationMs),
        Detail = Detail(turnId, call),
    };

    /// <summary>Appends the records in order; not cancellable, so a record is never half-written by a cancelled turn.</summary>
    public async Task AppendAsync(IReadOnlyList<AuditEntry> records)
    {
        foreach (var record in records)
        {
            await log.AppendAsync(record, CancellationToken.None);
        }
    }

    private string Detail(string? turnId, ToolCallRecord call)
    {
        var detail = new JsonObject { ["callId"] = call.Id, ["turnId"] = turnId };
        if (options.Value.IncludePayloads)
        {
            var pii = privacy.Value.MaskPii;
            detail["arguments"] = Arguments(SensitiveJson.Mask(call.ArgumentsJson, pii));
            detail["result"] = call.Result is null ? null : SensitiveText.Mask(call.Result, pii);
        }

        return detail.ToJsonString();
    }

    /// <summary>The arguments as JSON; kept as a string if the model sent something that does not parse.</summary>
    private static JsonNode? Arguments(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }
}
