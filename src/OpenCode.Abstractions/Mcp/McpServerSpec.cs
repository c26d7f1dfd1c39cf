using System.Security.Cryptography;
using System.Text;

namespace OpenCode.Abstractions;

/// <summary>
/// A resolved MCP server: everything needed to connect to it. Two specs with the same fields have
/// the same <see cref="Key"/>, which keys the <see cref="IMcpConnectionGrain"/> that holds the session.
/// </summary>
/// <param name="Name">The server's name in the agent configuration; tools are offered as <c>{Name}_{tool}</c>.</param>
/// <param name="Command">The executable of a <see cref="McpTransport.Stdio"/> server.</param>
/// <param name="Args">Its arguments.</param>
/// <param name="Env">
/// Variables for a stdio server's process. The process does not inherit the silo's environment
/// (no provider keys leak to it): it gets the usual PATH/HOME/... set plus these.
/// </param>
/// <param name="Url">The endpoint of an HTTP or WebSocket server.</param>
/// <param name="CallTimeoutSeconds">How long one tool call may take before it is reported as timed out.</param>
/// <param name="Auth">
/// How to authenticate to an HTTP or WebSocket server. Only secret names (<c>…Ref</c>) are carried: the
/// values are looked up on the silo when connecting, so a spec (a grain key, and logged) never holds one.
/// </param>
/// <param name="Idempotent">Its tool calls may run twice: one cut off by a crash is run again, not reported interrupted.</param>
[GenerateSerializer, Immutable, Alias("OpenCode.McpServerSpec")]
public sealed record McpServerSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] McpTransport Transport,
    [property: Id(2)] string? Command,
    [property: Id(3)] IReadOnlyList<string> Args,
    [property: Id(4)] IReadOnlyDictionary<string, string> Env,
    [property: Id(5)] string? Url,
    [property: Id(6)] int CallTimeoutSeconds = McpServerSpec.DefaultCallTimeoutSeconds,
    [property: Id(7)] McpAuthConfig? Auth = null,
    [property: Id(8)] bool Idempotent = false)
{
    public const int DefaultCallTimeoutSeconds = 60;

    /// <summary>The longest call timeout honoured (the grain method's Orleans response timeout is above it).</summary>
    public const int MaxCallTimeoutSeconds = 600;

    [NonSerialized]
    private string? _key;

    /// <summary>
    /// A stable short key, <c>{name}-{16 hex digits}</c>: the name (made safe) and the start of a SHA-256
    /// over a canonical form of every field. Computed once per instance, never serialized.
    /// </summary>
    public string Key => _key ??= ComputeKey();

    /// <summary>A server started as a child process and spoken to over stdio.</summary>
    public static McpServerSpec Stdio(
        string name, string command, IReadOnlyList<string>? args = null,
        IReadOnlyDictionary<string, string>? env = null, int callTimeoutSeconds = DefaultCallTimeoutSeconds) =>
        new(name, McpTransport.Stdio, command, args ?? [], env ?? EmptyEnv, null, callTimeoutSeconds);

    /// <summary>A server reached over HTTP: Streamable HTTP with SSE fallback, or SSE only.</summary>
    public static McpServerSpec Http(
        string name, string url, McpTransport transport = McpTransport.StreamableHttp,
        int callTimeoutSeconds = DefaultCallTimeoutSeconds, McpAuthConfig? auth = null) =>
        transport is not (McpTransport.StreamableHttp or McpTransport.Sse)
            ? throw new ArgumentException("An HTTP server needs an HTTP transport.", nameof(transport))
            : new(name, transport, null, [], EmptyEnv, url, callTimeoutSeconds, auth);

    /// <summary>A server reached over a WebSocket (<c>ws://</c> or <c>wss://</c>).</summary>
    public static McpServerSpec WebSocket(
        string name, string url, int callTimeoutSeconds = DefaultCallTimeoutSeconds, McpAuthConfig? auth = null) =>
        new(name, McpTransport.WebSocket, null, [], EmptyEnv, url, callTimeoutSeconds, auth);

    // Equality is by content (the key covers every field), so lists and dictionaries compare by value.
    public bool Equals(McpServerSpec? other) =>
        ReferenceEquals(this, other) || (other is not null && Key == other.Key);

    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    // Env values are often secrets: ToString (and so any log line) shows the variables' names only.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name)
            .Append(", Transport = ").Append(Transport)
            .Append(", Command = ").Append(Command)
            .Append(", Args = [").AppendJoin(", ", Args ?? []).Append(']')
            .Append(", Env = [").AppendJoin(", ", (Env ?? EmptyEnv).Keys.Order(StringComparer.Ordinal)).Append(']')
            .Append(", Url = ").Append(Url)
            .Append(", CallTimeoutSeconds = ").Append(CallTimeoutSeconds)
            .Append(", Idempotent = ").Append(Idempotent);
        if (Auth is { } auth)
        {
            // Only names of secrets are here, never their values.
            builder.Append(", Auth = ").Append(auth.Type);
            foreach (var (field, value) in AuthFields(auth).Skip(1).Where(f => f.Value is not null))
            {
                builder.Append(' ').Append(field).Append('=').Append(value);
            }
        }

        return true;
    }

    // `with` must not carry the cached key of the original over to the changed copy.
    private McpServerSpec(McpServerSpec original)
    {
        Name = original.Name;
        Transport = original.Transport;
        Command = original.Command;
        Args = original.Args;
        Env = original.Env;
        Url = original.Url;
        CallTimeoutSeconds = original.CallTimeoutSeconds;
        Auth = original.Auth;
        Idempotent = original.Idempotent;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyEnv = new Dictionary<string, string>();

    private string ComputeKey()
    {
        var canonical = new StringBuilder(128);
        Append(canonical, Name);
        Append(canonical, Transport.ToString());
        Append(canonical, Command);
        var args = Args ?? [];
        Append(canonical, args.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var arg in args)
        {
            Append(canonical, arg);
        }

        var env = (Env ?? EmptyEnv).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        Append(canonical, env.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (name, value) in env)
        {
            Append(canonical, name);
            Append(canonical, value);
        }

        Append(canonical, Url);
        Append(canonical, CallTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Auth is null)
        {
            Append(canonical, null);
        }
        else
        {
            foreach (var (_, value) in AuthFields(Auth).SkipLast(1))
            {
                Append(canonical, value);
            }

            var scopes = Auth.Scopes ?? [];
            Append(canonical, Auth.Scopes is null ? null : scopes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var scope in scopes)
            {
                Append(canonical, scope);
            }
        }

        // Only when set, so the keys of existing servers stay what they were.
        if (Idempotent)
        {
            Append(canonical, "idempotent");
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()), hash);
        return $"{SafeName(Name)}-{Convert.ToHexStringLower(hash[..8])}";
    }

    // Every field of an auth config, in a fixed order: the type first, the scopes (joined as in OAuth 2.0) last.
    private static IEnumerable<(string Field, string? Value)> AuthFields(McpAuthConfig auth) =>
    [
        ("type", auth.Type),
        ("tokenRef", auth.TokenRef),
        ("keyRef", auth.KeyRef),
        ("header", auth.Header),
        ("tokenUrl", auth.TokenUrl),
        ("clientId", auth.ClientId),
        ("clientSecretRef", auth.ClientSecretRef),
        ("scopes", auth.Scopes is null ? null : string.Join(' ', auth.Scopes)),
    ];

    // Length-prefixed, with null distinct from "", so no two different specs share a canonical form.
    private static void Append(StringBuilder canonical, string? value) =>
        (value is null ? canonical.Append("-1:") : canonical.Append(value.Length).Append(':').Append(value)).Append(';');

    private static string SafeName(string? name)
    {
        const int maxLength = 40;
        if (string.IsNullOrEmpty(name))
        {
            return "mcp";
        }

        var safe = McpToolNames.Sanitize(name);
        return safe.Length <= maxLength ? safe : safe[..maxLength];
    }
}
