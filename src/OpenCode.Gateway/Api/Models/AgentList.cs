using OpenCode.Abstractions;

namespace OpenCode.Gateway.Api.Models;

public sealed record AgentList(IReadOnlyList<AgentSummary> Agents);
