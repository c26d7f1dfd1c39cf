using System.Net;
using System.Net.Sockets;

namespace OpenCode.Runtime.Security;

/// <summary>
/// Checks, at connect time, where the HTTP clients of model providers and MCP servers really go: configurations
/// are checked by name, but a name can resolve (or be rebound) to a metadata or loopback address, and a server can
/// answer with a redirect. Handlers made here follow no redirects (a 3xx reaches the caller as an error) and connect
/// only to addresses the <see cref="EndpointPolicy"/> allows. The name is resolved once, as the default connect
/// would: the check costs no extra lookup.
/// </summary>
public sealed class ConnectionGuard(EndpointPolicy policy) : IDisposable
{
    private readonly Lazy<HttpMessageInvoker> _webSockets = new(() => new HttpMessageInvoker(CreateHandler(policy)));
    private readonly Lazy<HttpClient> _occasional = new(() => new HttpClient(CreateHandler(policy)) { Timeout = TimeSpan.FromSeconds(30) });

    /// <summary>A shared invoker for WebSocket upgrades (which the socket detaches from its pool once upgraded).</summary>
    public HttpMessageInvoker WebSockets => _webSockets.Value;

    /// <summary>A shared client for rare requests to a handful of hosts (OAuth 2.0 tokens), with a 30 s timeout.</summary>
    public HttpClient Occasional => _occasional.Value;

    /// <summary>A new handler that follows no redirects and connects only where the policy allows.</summary>
    public SocketsHttpHandler CreateHandler() => CreateHandler(policy);

    /// <summary>Makes <paramref name="handler"/> follow no redirects and connect only where the policy allows.</summary>
    public SocketsHttpHandler Guard(SocketsHttpHandler handler) => Guard(handler, policy);

    public void Dispose()
    {
        if (_webSockets.IsValueCreated)
        {
            _webSockets.Value.Dispose();
        }

        if (_occasional.IsValueCreated)
        {
            _occasional.Value.Dispose();
        }
    }

    private static SocketsHttpHandler CreateHandler(EndpointPolicy policy) =>
        Guard(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, policy);

    private static SocketsHttpHandler Guard(SocketsHttpHandler handler, EndpointPolicy policy)
    {
        handler.AllowAutoRedirect = false;
        handler.ConnectCallback = (context, cancellationToken) => ConnectAsync(policy, context, cancellationToken);
        return handler;
    }

    private static async ValueTask<Stream> ConnectAsync(EndpointPolicy policy, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var (host, port) = (context.DnsEndPoint.Host, context.DnsEndPoint.Port);
        var scheme = context.InitialRequestMessage.RequestUri?.Scheme.ToLowerInvariant() ?? "http";
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var allowed = Array.FindAll(addresses, address => policy.AllowsConnection(scheme, host, port, address));
        if (allowed.Length == 0)
        {
            throw new HttpRequestException(
                HttpRequestError.ConnectionError,
                $"the connection to {host}:{port} was refused: it resolves to a loopback, link-local or metadata address the operator's allow-list does not name");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
