using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace OpenCode.Runtime.Tools.Workspace;

/// <summary>
/// A client transport to an MCP server hosted in this process. Connecting starts a server session (the SDK's
/// <see cref="McpServer"/>) on a pair of in-memory pipes, one per direction, speaking the same newline-delimited
/// JSON-RPC as stdio; disposing the transport ends that session. One transport, one session.
/// </summary>
internal sealed class InProcessClientTransport(string name, Func<McpServerOptions> createOptions, ILoggerFactory loggerFactory)
    : IClientTransport, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private StreamServerTransport? _serverTransport;
    private McpServer? _server;
    private Task _serving = Task.CompletedTask;

    public string Name => name;

    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (_server is not null)
        {
            throw new InvalidOperationException($"The in-process transport to '{name}' is already connected.");
        }

        var options = createOptions();
        var toServer = new Pipe();
        var toClient = new Pipe();
        _serverTransport = new StreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream(), name, loggerFactory);
        _server = McpServer.Create(_serverTransport, options, loggerFactory);
        _serving = _server.RunAsync(_stopping.Token);
        return await new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream(), loggerFactory)
            .ConnectAsync(cancellationToken)
            .ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_server is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        if (_serverTransport is { } transport)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await _serving.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The session was stopped on purpose.
        }

        _stopping.Dispose();
    }
}
