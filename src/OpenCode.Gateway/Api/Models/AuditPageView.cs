using System.Text.Json.Serialization;

namespace OpenCode.Gateway.Api.Models;

/// <summary>Records newest first; <see cref="Next"/> is the <c>cursor</c> of the next page, null at the end.</summary>
public sealed record AuditPageView(IReadOnlyList<AuditEntryView> Entries, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Next);
