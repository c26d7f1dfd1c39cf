using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime.Security;

/// <summary>
/// One entry of <c>Security:AllowedEndpoints</c>: <c>scheme://host[:port][/path]</c>, each part a glob (<c>*</c>).
/// Parts are matched one by one against a <see cref="NormalizedUrl"/>, so a <c>*</c> in the host never reaches into
/// the port or path. A missing port means the scheme's default port; a missing path (or <c>/</c>) any path.
/// </summary>
public sealed class EndpointPattern
{
    private readonly Glob _scheme;
    private readonly Glob? _hostGlob;
    private readonly NormalizedHost? _host;
    private readonly Glob? _port;
    private readonly Glob? _path;

    private EndpointPattern(string text, Glob scheme, Glob? hostGlob, NormalizedHost? host, Glob? port, Glob? path)
    {
        Text = text;
        _scheme = scheme;
        _hostGlob = hostGlob;
        _host = host;
        _port = port;
        _path = path;
    }

    public string Text { get; }

    /// <summary>The host is written out, not a glob: only such entries allow loopback and link-local hosts.</summary>
    public bool NamesHost => _host is not null;

    /// <summary>The entry, or null when it is not of the form <c>scheme://host[:port][/path]</c>.</summary>
    public static EndpointPattern? Parse(string? entry)
    {
        var text = entry?.Trim() ?? "";
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            return null;
        }

        var scheme = text[..separator].ToLowerInvariant();
        var rest = text[(separator + 3)..];
        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? null : rest[slash..];
        if (authority.Contains('@') || !SplitAuthority(authority, out var hostText, out var portText))
        {
            return null;
        }

        Glob? hostGlob = null;
        NormalizedHost? host = null;
        if (Glob.HasWildcards(hostText))
        {
            hostGlob = Glob.ForNames(hostText.ToLowerInvariant());
        }
        else if (NormalizedHost.Parse(hostText) is { } literal)
        {
            host = literal;
        }
        else
        {
            return null;
        }

        if (portText is not null && !(Glob.HasWildcards(portText) || (int.TryParse(portText, out var port) && port is > 0 and <= 65535)))
        {
            return null;
        }

        return new EndpointPattern(
            text,
            Glob.ForNames(scheme),
            hostGlob,
            host,
            portText is null ? null : Glob.ForNames(portText),
            path is null or "/" ? null : Glob.ForValues(path));
    }

    /// <summary>
    /// Whether <paramref name="url"/> matches; a null <paramref name="path"/> (a connection, not a request) matches
    /// any path pattern.
    /// </summary>
    public bool Matches(string scheme, NormalizedHost host, int port, string? path)
    {
        var hostMatches = _host is { } named ? named.Name == host.Name : _hostGlob!.Matches(host.Name);
        var portMatches = _port?.Matches(port.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? port == NormalizedUrl.DefaultPort(scheme);
        return hostMatches && portMatches && _scheme.Matches(scheme) && (path is null || _path is null || _path.Matches(path));
    }

    public override string ToString() => Text;

    private static bool SplitAuthority(string authority, out string host, out string? port)
    {
        host = authority;
        port = null;
        var colon = authority.StartsWith('[') ? authority.IndexOf("]:", StringComparison.Ordinal) + 1 : authority.LastIndexOf(':');
        if (colon > 0)
        {
            host = authority[..colon];
            port = authority[(colon + 1)..];
        }

        return host.Length > 0 && port is not "";
    }
}
