using System.Net;

namespace OpenCode.Gateway.Security;

/// <summary>
/// Without authentication the gateway serves one local user: it may only listen on loopback, so no one else on
/// the network can act as that user.
/// </summary>
public static class LoopbackBinding
{
    /// <summary>Throws, naming the address, when the configured URLs would listen beyond loopback.</summary>
    public static void EnsureLoopbackOnly(IConfiguration configuration)
    {
        if (!string.IsNullOrEmpty(configuration["http_ports"]) || !string.IsNullOrEmpty(configuration["https_ports"]))
        {
            throw Refusal("http_ports/https_ports (all interfaces)");
        }

        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        if (urls.FirstOrDefault(url => !IsLoopback(url)) is { } open)
        {
            throw Refusal(open);
        }
    }

    public static bool IsLoopback(string url)
    {
        // "http://*:80" and "http://+:80" are not valid URIs: take the host between "://" and the port by hand.
        var start = url.IndexOf("://", StringComparison.Ordinal);
        var rest = start < 0 ? url : url[(start + 3)..];
        var host = rest.StartsWith('[') ? rest[1..Math.Max(1, rest.IndexOf(']'))] : rest.Split(':', '/')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    private static InvalidOperationException Refusal(string address) => new(
        $"Refusing to listen on {address} without authentication: anyone who can reach it would act as the local admin. " +
        "Configure Auth:BootstrapAdminKey or Auth:Jwt (see README, Security), or listen on 127.0.0.1.");
}
