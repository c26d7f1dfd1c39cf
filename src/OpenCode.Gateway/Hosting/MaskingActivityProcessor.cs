using System.Diagnostics;
using OpenCode.Runtime.Privacy;
using OpenTelemetry;

namespace OpenCode.Gateway.Hosting;

/// <summary>
/// Masks secrets and personal data (<see cref="SensitiveText"/>) in every span before it is exported, whatever
/// <c>Privacy:MaskPii</c> says, as logs are: its name, string tag values (an exception's message and stack among them)
/// and its status description. Orleans tags spans with grain ids, and a conversation's id holds its owner's name,
/// which may be an e-mail address; error messages may quote what a caller or a model sent. It must run before the
/// exporting processor, which OpenTelemetry orders last.
/// </summary>
internal sealed class MaskingActivityProcessor : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        // Only recorded spans are exported.
        if (!data.Recorded)
        {
            return;
        }

        // An event's tags are copied when it is made and cannot change: a span whose events say something that needs
        // masking is not exported at all. The sources traced here record exceptions as tags (Orleans) or not at all
        // (ASP.NET Core's and HttpClient's instrumentation).
        foreach (var activityEvent in data.Events)
        {
            if (MaskedTags(activityEvent.Tags).Count > 0)
            {
                data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
                return;
            }
        }

        if (SensitiveText.MaskedOrNull(data.DisplayName) is { } name)
        {
            data.DisplayName = name;
        }

        foreach (var (key, value) in MaskedTags(data.TagObjects))
        {
            data.SetTag(key, value);
        }

        if (data.StatusDescription is { } description && SensitiveText.MaskedOrNull(description) is { } maskedDescription)
        {
            data.SetStatus(data.Status, maskedDescription);
        }
    }

    /// <summary>The tags whose values need masking, with their masked values; collected first, as tags cannot change while enumerated.</summary>
    private static IReadOnlyList<KeyValuePair<string, string>> MaskedTags(IEnumerable<KeyValuePair<string, object?>> tags)
    {
        List<KeyValuePair<string, string>>? masked = null;
        foreach (var (key, value) in tags)
        {
            if (value is string text && SensitiveText.MaskedOrNull(text) is { } maskedText)
            {
                (masked ??= []).Add(new(key, maskedText));
            }
        }

        return masked ?? [];
    }
}
