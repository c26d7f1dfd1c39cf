namespace OpenCode.Gateway.Api.Models;

public sealed record SendMessageRequest(string? Message);
