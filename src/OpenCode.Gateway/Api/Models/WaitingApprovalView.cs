using OpenCode.Abstractions;

namespace OpenCode.Gateway.Api.Models;

/// <summary>The <c>202</c> answer of a turn that paused: the approvals it waits for.</summary>
public sealed record WaitingApprovalView(string Status, string TurnId, string UserMessageId, IReadOnlyList<ApprovalView> Approvals)
{
    public static WaitingApprovalView From(TurnOutcome outcome) => new(
        ConversationStatuses.WaitingApproval,
        outcome.TurnId,
        outcome.UserMessage.Id,
        [.. outcome.Approvals!.Select(ApprovalView.From)]);
}
