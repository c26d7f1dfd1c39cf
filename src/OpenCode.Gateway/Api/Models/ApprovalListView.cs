namespace OpenCode.Gateway.Api.Models;

public sealed record ApprovalListView(IReadOnlyList<ApprovalView> Approvals);
