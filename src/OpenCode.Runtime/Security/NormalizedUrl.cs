namespace OpenCode.Runtime.Security;

/// <summary>
/// A URL as the allow-list compares it: lower-case scheme, <see cref="NormalizedHost"/>, explicit port, and the
/// path with dot segments resolved. User info and query are dropped: <c>http://allowed@evil/</c> is a URL of <c>evil</c>.
/// </summary>
public sealed record NormalizedUrl(string Scheme, NormalizedHost Host, int Port, string Path)
{
    /// <summary>The URL's parts, or null when <paramref name="url"/> is not an absolute URL with a host.</summary>
    public static NormalizedUrl? Parse(string? url)
    {
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) || uri.Port < 0 || NormalizedHost.Parse(uri.IdnHost) is not { } host)
        {
            return null;
        }

        return new NormalizedUrl(uri.Scheme.ToLowerInvariant(), host, uri.Port, uri.AbsolutePath);
    }

    /// <summary>The port a scheme has when a URL gives none; -1 for a scheme without one.</summary>
    public static int DefaultPort(string scheme) => scheme switch
    {
        "http" or "ws" => 80,
        "https" or "wss" => 443,
        _ => -1,
    };

    public override string ToString() => $"{Scheme}://{Host.UrlForm}:{Port}{Path}";
}
