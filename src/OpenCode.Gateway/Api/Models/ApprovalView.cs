using System.Text.Json;
using OpenCode.Abstractions;

namespace OpenCode.Gateway.Api.Models;

public sealed record ApprovalView(
    string ApprovalId,
    string TurnId,
    string CallId,
    string Name,
    JsonElement Arguments,
    DateTimeOffset RequestedAt,
    DateTimeOffset? ExpiresAt)
{
    public static ApprovalView From(ApprovalRequest request) => new(
        request.ApprovalId,
        request.TurnId,
        request.CallId,
        request.ToolName,
        ToolCallView.ParseArguments(request.ArgumentsJson),
        request.RequestedAt,
        request.ExpiresAt);
}
