namespace OpenCode.Testing;

/// <summary>One function call the fake model asks for; <paramref name="ArgumentsJson"/> is sent verbatim.</summary>
public sealed record FakeToolCall(string Name, string ArgumentsJson);
