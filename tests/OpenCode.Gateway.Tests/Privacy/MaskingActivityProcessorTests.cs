using System.Diagnostics;
using OpenCode.Gateway.Hosting;

namespace OpenCode.Gateway.Tests.Privacy;

/// <summary>What a span says is masked before export: its name, tags and status description; a span whose events would need masking is not exported.</summary>
public sealed class MaskingActivityProcessorTests
{
    [Fact]
    public void Names_tags_and_the_status_description_are_masked_and_other_values_kept()
    {
        using var activity = new Activity("call jane@example.com");
        activity.SetTag("rpc.orleans.target_id", "conversation/acme/jane@example.com/c-1");
        activity.SetTag("rpc.method", "Send");
        activity.SetTag("retries", 3);
        activity.SetTag("exception.message", "rejected key sk-test-abcdefghijklmnop0123");
        activity.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["attempt"] = "2" }));
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        activity.SetStatus(ActivityStatusCode.Error, "Authorization: Bearer abcdefghijkl");

        using var processor = new MaskingActivityProcessor();
        processor.OnEnd(activity);

        Assert.Equal("call [email]", activity.DisplayName);
        Assert.Equal("conversation/acme/[email]/c-1", activity.GetTagItem("rpc.orleans.target_id"));
        Assert.Equal("Send", activity.GetTagItem("rpc.method"));
        Assert.Equal(3, activity.GetTagItem("retries"));
        Assert.Equal("rejected key [secret]", activity.GetTagItem("exception.message"));
        Assert.Equal("Authorization: [secret]", activity.StatusDescription);
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.True(activity.Recorded);
    }

    [Fact]
    public void A_span_whose_event_needs_masking_is_not_exported()
    {
        // Event tags are copied when the event is made: they cannot be masked afterwards.
        using var activity = new Activity("call");
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        activity.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection { ["exception.message"] = "rejected jane@example.com" }));

        using var processor = new MaskingActivityProcessor();
        processor.OnEnd(activity);

        Assert.False(activity.Recorded);
    }
}
