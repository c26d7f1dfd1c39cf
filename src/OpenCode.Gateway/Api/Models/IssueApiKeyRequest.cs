namespace OpenCode.Gateway.Api.Models;

/// <summary>The body of <c>POST /admin/api-keys</c>: the tenant defaults to the caller's, the user to the name.</summary>
public sealed record IssueApiKeyRequest(string? Name, string? Tenant, string? User, IReadOnlyList<string>? Roles);
