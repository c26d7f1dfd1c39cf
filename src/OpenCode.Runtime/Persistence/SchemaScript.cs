namespace OpenCode.Runtime.Persistence;

/// <summary>One script of <see cref="PostgresSchema"/>: its file name, text and SHA-256 (lower-case hex).</summary>
public sealed record SchemaScript(string Name, string Sql, string Sha256);
