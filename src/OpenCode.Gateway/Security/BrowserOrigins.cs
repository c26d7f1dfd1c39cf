namespace OpenCode.Gateway.Security;

/// <summary>
/// The web origins whose pages may call the API from a browser (<c>Cors:AllowedOrigins</c>); none by default.
/// A page of any other origin gets neither CORS answers nor, through <see cref="CrossOriginGuard"/>, a hearing for
/// requests a browser sends without asking (a form's POST, a WebSocket).
/// </summary>
public sealed class BrowserOrigins(IConfiguration configuration)
{
    public const string Section = "Cors:AllowedOrigins";

    public IReadOnlyList<string> Allowed { get; } =
        [.. configuration.GetSection(Section).GetChildren().Select(c => c.Value).OfType<string>().Select(o => o.TrimEnd('/'))];

    /// <summary>Whether a request from <paramref name="origin"/> may be served: a listed origin, or the server's own.</summary>
    public bool Allows(string origin, HttpRequest request) =>
        Allowed.Contains(origin, StringComparer.OrdinalIgnoreCase)
        || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
}
