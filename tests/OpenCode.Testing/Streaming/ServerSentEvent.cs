namespace OpenCode.Testing;

/// <summary>One dispatched Server-Sent Event: its <c>id:</c> (null when the frame had none), <c>event:</c> type and <c>data:</c>.</summary>
public sealed record ServerSentEvent(string? Id, string Type, string Data);
