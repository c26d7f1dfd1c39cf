namespace OpenCode.Gateway.Api.Models;

/// <summary>The body of <c>POST /conversations/{id}/approvals/{approvalId}</c>: <c>once</c>, <c>always</c> or <c>reject</c>.</summary>
public sealed record AnswerApprovalRequest(string? Decision);
