namespace OpenCode.Gateway.Api.Models;

/// <summary>A single-use ticket for <c>/ws?ticket=…</c>, valid until <see cref="ExpiresAt"/>.</summary>
public sealed record WebSocketTicketView(string Ticket, DateTimeOffset ExpiresAt);
