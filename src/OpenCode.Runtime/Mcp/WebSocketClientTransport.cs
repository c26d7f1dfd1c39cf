using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenCode.Runtime.Mcp.Auth;

namespace OpenCode.Runtime.Mcp;

/// <summary>
/// An MCP client transport over a WebSocket (<c>ws://</c>, <c>wss://</c>), which the SDK does not ship: each
/// JSON-RPC message is one text message, the subprotocol <c>mcp</c> is offered, and credentials go in the headers
/// of the upgrade request (a 401 there renews OAuth 2.0 credentials once). The upgrade goes through
/// <paramref name="invoker"/>, whose handler decides where it may connect.
/// </summary>
internal sealed class WebSocketClientTransport(
    string name, Uri endpoint, McpCredentials? credentials, HttpMessageInvoker invoker, ILoggerFactory loggerFactory) : IClientTransport
{
    public const string SubProtocol = "mcp";

    // Pings find a peer that vanished without closing (a cut network) instead of waiting on it forever.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    public string Name => name;

    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default)
    {
        var header = credentials is null ? (AuthHeader?)null : await credentials.GetHeaderAsync(cancellationToken).ConfigureAwait(false);
        ClientWebSocket socket;
        try
        {
            socket = await OpenAsync(header, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception) when (exception.StatusCode == HttpStatusCode.Unauthorized && header is { } rejected)
        {
            if (!await credentials!.RenewAsync(rejected, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            socket = await OpenAsync(await credentials.GetHeaderAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        return new WebSocketSessionTransport(name, socket, loggerFactory);
    }

    /// <summary>A connected socket; a refused upgrade throws an <see cref="HttpRequestException"/> with its status.</summary>
    private async Task<ClientWebSocket> OpenAsync(AuthHeader? header, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(SubProtocol);
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = KeepAlive;
        socket.Options.KeepAliveTimeout = KeepAlive;
        if (header is { } auth)
        {
            socket.Options.SetRequestHeader(auth.Name, auth.Value);
        }

        try
        {
            await socket.ConnectAsync(endpoint, invoker, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (WebSocketException exception) when (socket.HttpStatusCode is not (0 or HttpStatusCode.SwitchingProtocols))
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            throw new HttpRequestException("the WebSocket upgrade was refused", exception, status);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
