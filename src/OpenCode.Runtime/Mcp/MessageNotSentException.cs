namespace OpenCode.Runtime.Mcp;

/// <summary>
/// A message was not sent because the session's connection had already closed, so the server never saw it and
/// sending it again on a new session is safe.
/// </summary>
internal sealed class MessageNotSentException(string message) : IOException(message);
