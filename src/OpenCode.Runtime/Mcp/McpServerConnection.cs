using System.ComponentModel;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenCode.Abstractions;
using OpenCode.Runtime.Mcp.Auth;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Mcp;

/// <summary>
/// The supervised client session to one MCP server. It connects on first use (concurrent first callers share
/// one connect), caches the tool list per session, turns every tool or server failure of a call into an
/// error result, and drops a session whose transport failed so the next call builds a new one (the SDK
/// never re-creates a dead client itself). Thread-safe; all SDK work runs on the thread pool, never on the
/// scheduler of the grain that owns this object.
/// </summary>
internal sealed partial class McpServerConnection : IAsyncDisposable
{
    /// <summary>How long starting a server and the MCP handshake may take.</summary>
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The longest call timeout honoured (the grain method's Orleans response timeout is above it).</summary>
    internal const int MaxCallTimeoutSeconds = 600;

    private static readonly McpClientOptions ClientOptions = new()
    {
        ClientInfo = new Implementation { Name = "opencode-orleans", Version = "1.0.0" },
        InitializationTimeout = ConnectTimeout,
    };

    private readonly McpServerSpec _spec;
    private readonly ConfiguredSecrets _secrets;
    private readonly ILoggerFactory _loggerFactory;
    private readonly WorkspaceServer _workspace;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _disposing = new();
    private Task<Session>? _session;
    private McpCredentials? _credentials;
    private bool _disposed;

    public McpServerConnection(McpServerSpec spec, ConfiguredSecrets secrets, ILoggerFactory loggerFactory, WorkspaceServer workspace)
    {
        _spec = spec;
        _secrets = secrets;
        _loggerFactory = loggerFactory;
        _workspace = workspace;
        _logger = loggerFactory.CreateLogger<McpServerConnection>();
        CallTimeout = TimeSpan.FromSeconds(Math.Clamp(spec.CallTimeoutSeconds, 1, MaxCallTimeoutSeconds));
    }

    public TimeSpan CallTimeout { get; }

    /// <summary>The server's tools, fetched once per session.</summary>
    /// <exception cref="McpServerUnavailableException">The server cannot be reached, started or listed in time.</exception>
    public async Task<IReadOnlyList<McpToolInfo>> ListToolsAsync(CancellationToken cancellationToken)
    {
        // Listing is where a session is usually started, so it may take as long as a connect.
        var timeout = CallTimeout > ConnectTimeout ? CallTimeout : ConnectTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await Task.Run(() => ListToolsCoreAsync(deadline.Token), CancellationToken.None);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception) when (deadline.IsCancellationRequested)
        {
            throw new McpServerUnavailableException(
                _spec.Name, $"MCP server '{_spec.Name}' did not list its tools within {timeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>
    /// Calls a tool. Never throws for a tool or server problem (the result says what went wrong); throws
    /// <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<McpToolResult> CallToolAsync(string toolName, string? argumentsJson, CancellationToken cancellationToken)
    {
        if (!TryParseArguments(argumentsJson, out var arguments, out var invalid))
        {
            return McpToolResult.Error($"The arguments of tool '{toolName}' are not a JSON object: {invalid}");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(CallTimeout);
        var phase = new CallPhase();
        try
        {
            return await Task.Run(() => CallToolCoreAsync(toolName, arguments, phase, deadline.Token), CancellationToken.None);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception) when (deadline.IsCancellationRequested)
        {
            LogCallTimedOut(_spec.Name, toolName, CallTimeout.TotalSeconds);
            return McpToolResult.Error(phase.Connected
                ? $"Tool '{toolName}' of MCP server '{_spec.Name}' did not answer within {CallTimeout.TotalSeconds:0} s and was cancelled."
                : $"MCP server '{_spec.Name}' did not start or connect within the {CallTimeout.TotalSeconds:0} s allowed for calling tool '{toolName}'.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<Session>? current;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            current = _session;
            _session = null;
        }

        // A connect in flight is cancelled (and waited for, so the process it may have started is not leaked).
        await _disposing.CancelAsync().ConfigureAwait(false);
        if (current is null)
        {
            _disposing.Dispose();
            return;
        }

        await Task.Run(async () =>
        {
            try
            {
                await (await current.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                LogDisposeFailed(_spec.Name, exception.Message);
            }
        }).ConfigureAwait(false);
        _disposing.Dispose();
    }

    private async Task<IReadOnlyList<McpToolInfo>> ListToolsCoreAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            Session session;
            try
            {
                session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                throw Unavailable(exception);
            }

            var tools = session.GetOrFetchTools(FetchToolsAsync);
            try
            {
                return await tools.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                session.ForgetTools(tools);
                if (exception is McpProtocolException protocolError && await IsRequestErrorAsync(session, protocolError, cancellationToken).ConfigureAwait(false))
                {
                    throw Unavailable(exception);
                }

                Drop(session, exception);
                if (attempt == 1 && (exception is McpProtocolException || NeverReachedServer(exception)))
                {
                    continue; // the session was refused or stale: listing is safe to repeat on a fresh one
                }

                throw Unavailable(exception);
            }
        }
    }

    private async Task<IReadOnlyList<McpToolInfo>> FetchToolsAsync(McpClient client)
    {
        if (client.ServerCapabilities?.Tools is null)
        {
            LogToolsListed(_spec.Name, 0);
            return [];
        }

        using var timeout = new CancellationTokenSource(ConnectTimeout);
        var tools = await client.ListToolsAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
        var infos = new McpToolInfo[tools.Count];
        for (var i = 0; i < tools.Count; i++)
        {
            var tool = tools[i].ProtocolTool;
            infos[i] = new McpToolInfo(
                _spec.Name, tool.Name, McpToolNames.Qualify(_spec.Name, tool.Name), tool.Description, tool.InputSchema.GetRawText());
        }

        LogToolsListed(_spec.Name, infos.Length);
        return infos;
    }

    private async Task<McpToolResult> CallToolCoreAsync(
        string toolName, IReadOnlyDictionary<string, object?>? arguments, CallPhase phase, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            Session session;
            phase.Connected = false;
            try
            {
                session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                return McpToolResult.Error(Unavailable(exception).Message);
            }

            phase.Connected = true;
            try
            {
                var result = await session.Client
                    .CallToolAsync(toolName, arguments, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                return ToToolResult(toolName, result);
            }
            catch (McpProtocolException exception) when (!cancellationToken.IsCancellationRequested)
            {
                if (await IsRequestErrorAsync(session, exception, cancellationToken).ConfigureAwait(false))
                {
                    // The server answered this call with a JSON-RPC error (unknown tool, invalid arguments, ...).
                    return McpToolResult.Error($"Tool '{toolName}' of MCP server '{_spec.Name}' failed: {exception.Message}");
                }

                // The server refused the session, not the call (e.g. it restarted and forgot the session id):
                // the call was not run, so it is sent once more on a fresh session.
                Drop(session, exception);
                if (attempt == 1)
                {
                    continue;
                }

                return McpToolResult.Error(Unavailable(exception).Message);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                Drop(session, exception);
                if (attempt == 1 && NeverReachedServer(exception))
                {
                    continue; // a stale session or a refused connection: the call was not delivered, so try a fresh session once
                }

                return McpToolResult.Error(Unavailable(exception).Message);
            }
        }
    }

    /// <summary>The live session, connecting when there is none (or the last one died).</summary>
    private Task<Session> GetSessionAsync(CancellationToken cancellationToken)
    {
        Task<Session> current;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is null || _session.IsFaulted || _session.IsCanceled || _session is { IsCompletedSuccessfully: true, Result.IsClosed: true })
            {
                if (_session is { IsCompletedSuccessfully: true } closed)
                {
                    DisposeInBackground(closed.Result);
                }

                _session = Task.Run(ConnectAsync, CancellationToken.None);
            }

            current = _session;
        }

        return current.IsCompletedSuccessfully ? current : current.WaitAsync(cancellationToken);
    }

    private async Task<Session> ConnectAsync()
    {
        var started = TimeProvider.System.GetTimestamp();
        var transport = CreateTransport();
        McpClient client;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token))
        {
            timeout.CancelAfter(ConnectTimeout);
            try
            {
                client = await McpClient.CreateAsync(transport, ClientOptions, _loggerFactory, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                await DisposeTransportAsync(transport).ConfigureAwait(false);
                if (exception is OperationCanceledException && timeout.IsCancellationRequested && !_disposing.IsCancellationRequested)
                {
                    throw new TimeoutException($"no answer to the MCP handshake within {ConnectTimeout.TotalSeconds:0} s", exception);
                }

                throw;
            }
        }

        var session = new Session(client, transport);
        session.ListChangedRegistration = client.RegisterNotificationHandler(
            NotificationMethods.ToolListChangedNotification,
            (_, _) =>
            {
                session.ForgetTools();
                return ValueTask.CompletedTask;
            });
        _ = client.Completion.ContinueWith(
            completion => OnSessionClosed(session, completion.Result),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        LogConnected(_spec.Name, _spec.Transport, client.NegotiatedProtocolVersion, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        return session;
    }

    private IClientTransport CreateTransport()
    {
        switch (_spec.Transport)
        {
            case McpTransport.Stdio:
                if (string.IsNullOrWhiteSpace(_spec.Command))
                {
                    throw new InvalidOperationException("a stdio server needs a command");
                }

                // A curated environment (PATH, HOME, ...) plus the spec's: the silo's secrets do not reach the server.
                var environment = StdioClientTransportOptions.GetDefaultEnvironmentVariables();
                foreach (var (name, value) in _spec.Env ?? new Dictionary<string, string>())
                {
                    environment[name] = value;
                }

                return new StdioClientTransport(
                    new StdioClientTransportOptions
                    {
                        Name = _spec.Name,
                        Command = _spec.Command,
                        Arguments = [.. _spec.Args ?? []],
                        InheritEnvironmentVariables = false,
                        EnvironmentVariables = environment!,
                        StandardErrorLines = line => LogServerStandardError(_spec.Name, line),
                    },
                    _loggerFactory);

            case McpTransport.StreamableHttp or McpTransport.Sse:
                if (!Uri.TryCreate(_spec.Url, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
                {
                    throw new InvalidOperationException($"'{_spec.Url}' is not an http(s) URL");
                }

                var options = new HttpClientTransportOptions
                {
                    Name = _spec.Name,
                    Endpoint = endpoint,
                    // Streamable HTTP first, then the legacy SSE transport when the server only speaks that.
                    TransportMode = _spec.Transport == McpTransport.Sse ? HttpTransportMode.Sse : HttpTransportMode.AutoDetect,
                    ConnectionTimeout = ConnectTimeout,
                };
                return Credentials() is { } credentials
                    ? new HttpClientTransport(options, new HttpClient(new McpAuthHandler(credentials, new SocketsHttpHandler())), _loggerFactory, ownsHttpClient: true)
                    : new HttpClientTransport(options, _loggerFactory);

            case McpTransport.WebSocket:
                if (!Uri.TryCreate(_spec.Url, UriKind.Absolute, out var socketEndpoint) || (socketEndpoint.Scheme != Uri.UriSchemeWs && socketEndpoint.Scheme != Uri.UriSchemeWss))
                {
                    throw new InvalidOperationException($"'{_spec.Url}' is not a ws(s) URL");
                }

                return new WebSocketClientTransport(_spec.Name, socketEndpoint, Credentials(), _loggerFactory);

            case McpTransport.InProcess:
                return _workspace.CreateTransport(_spec);

            default:
                throw new InvalidOperationException($"the '{_spec.Transport}' transport is not supported");
        }
    }

    /// <summary>The server's credentials, made once per connection so a cached OAuth 2.0 token outlives a reconnect.</summary>
    private McpCredentials? Credentials() => _credentials ??= McpCredentials.For(_spec.Auth, _secrets, TimeProvider.System);

    private void OnSessionClosed(Session session, ClientCompletionDetails details)
    {
        if (Drop(session, details.Exception))
        {
            LogSessionClosed(_spec.Name, details.Exception is null ? "closed" : Describe(details.Exception));
        }
    }

    /// <summary>Forgets <paramref name="session"/> (when it is still the current one) and disposes it.</summary>
    private bool Drop(Session session, Exception? reason)
    {
        lock (_gate)
        {
            if (_session is not { IsCompletedSuccessfully: true } current || current.Result != session)
            {
                return false;
            }

            _session = null;
        }

        if (reason is not null)
        {
            LogSessionDropped(_spec.Name, Describe(reason));
        }

        DisposeInBackground(session);
        return true;
    }

    private void DisposeInBackground(Session session) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                LogDisposeFailed(_spec.Name, exception.Message);
            }
        });

    private static async ValueTask DisposeTransportAsync(IClientTransport transport)
    {
        if (transport is IAsyncDisposable disposable)
        {
            try
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Nothing useful to do about a transport that failed to connect and then failed to clean up.
            }
        }
    }

    private McpServerUnavailableException Unavailable(Exception exception) =>
        exception as McpServerUnavailableException
        ?? new McpServerUnavailableException(_spec.Name, $"MCP server '{_spec.Name}' is unavailable: {Describe(exception)}");

    private static McpToolResult ToToolResult(string toolName, CallToolResult result)
    {
        var content = result.Content;
        var text = content.Count switch
        {
            0 => result.StructuredContent is { } structured ? structured.GetRawText() : "",
            1 => Describe(content[0]),
            _ => string.Join('\n', content.Select(Describe)),
        };

        if (result.IsError == true)
        {
            return McpToolResult.Error(text.Length > 0 ? text : $"Tool '{toolName}' reported an error without a message.");
        }

        return McpToolResult.Success(text);
    }

    private static string Describe(ContentBlock block) => block switch
    {
        TextContentBlock text => text.Text,
        ImageContentBlock image => $"[image {image.MimeType}]",
        AudioContentBlock audio => $"[audio {audio.MimeType}]",
        EmbeddedResourceBlock { Resource: TextResourceContents resource } => resource.Text,
        EmbeddedResourceBlock embedded => $"[resource {embedded.Resource.Uri} {embedded.Resource.MimeType}]".TrimEnd(),
        ResourceLinkBlock link => $"[resource link {link.Uri}]",
        _ => $"[{block.Type}]",
    };

    /// <summary>A short, clear reason: the most telling exception of the chain.</summary>
    private static string Describe(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is McpAuthenticationException)
            {
                return current.Message; // wherever the SDK wrapped it, the credentials are the reason
            }
        }

        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case ClientTransportClosedException { Details: StdioClientCompletionDetails stdio }:
                    var reason = stdio.ExitCode is { } code ? $"the server process exited with code {code}" : "the server process exited";
                    var stderr = stdio.StandardErrorTail is { Count: > 0 } tail ? $" (stderr: {string.Join(" | ", tail.TakeLast(3))})" : "";
                    return reason + stderr;
                case ClientTransportClosedException { Details: HttpClientCompletionDetails { HttpStatusCode: { } status } }:
                    return $"the connection was closed (HTTP {(int)status} {status})";
                case HttpRequestException http:
                    return http.StatusCode is { } httpStatus ? $"HTTP {(int)httpStatus} {httpStatus}: {http.Message}" : http.Message;
                case WebSocketException { InnerException: null } socket:
                    return socket.Message;
                case WebSocketException:
                    break; // a Win32Exception too, but about a connection: the inner exception says why
                case Win32Exception win32:
                    return $"cannot start the server process: {win32.Message}";
                case TimeoutException timeout:
                    return timeout.Message;
            }
        }

        return exception.InnerException is { } inner && inner.Message != exception.Message
            ? $"{exception.Message} ({inner.Message})"
            : exception.Message;
    }

    /// <summary>
    /// Whether a JSON-RPC error is about the request (the session is fine) rather than the session. The
    /// standard request-level codes are taken at their word; for any other code the session is pinged.
    /// </summary>
    private static async ValueTask<bool> IsRequestErrorAsync(Session session, McpProtocolException exception, CancellationToken cancellationToken)
    {
        if (exception.ErrorCode is McpErrorCode.InvalidParams or McpErrorCode.MethodNotFound or McpErrorCode.InternalError or McpErrorCode.ResourceNotFound)
        {
            return true;
        }

        try
        {
            await session.Client.PingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (McpProtocolException pingError) when (pingError.ErrorCode == McpErrorCode.MethodNotFound)
        {
            return true; // a server without ping, but one that answers on this session
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>True when the failure proves the request never reached a server (so re-sending it on a new session is safe).</summary>
    private static bool NeverReachedServer(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is MessageNotSentException or HttpRequestException { StatusCode: HttpStatusCode.NotFound } or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseArguments(
        string? json, out IReadOnlyDictionary<string, object?>? arguments, out string? error)
    {
        arguments = null;
        error = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            return true;
        }

        try
        {
            // One parse; each value stays a JsonElement, which the SDK writes back out as-is.
            arguments = JsonSerializer.Deserialize(json, McpArgumentsJsonContext.Default.DictionaryStringObject);
            return true;
        }
        catch (JsonException exception)
        {
            error = exception.Message;
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to MCP server {Server} over {Transport} (protocol {ProtocolVersion}) in {ElapsedMs:0} ms")]
    private partial void LogConnected(string server, McpTransport transport, string? protocolVersion, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "MCP server {Server} listed {Count} tools")]
    private partial void LogToolsListed(string server, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP session to {Server} dropped: {Reason}")]
    private partial void LogSessionDropped(string server, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP session to {Server} ended: {Reason}")]
    private partial void LogSessionClosed(string server, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tool {Tool} of MCP server {Server} timed out after {Seconds} s")]
    private partial void LogCallTimedOut(string server, string tool, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Disposing the MCP session to {Server} failed: {Reason}")]
    private partial void LogDisposeFailed(string server, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "MCP server {Server} stderr: {Line}")]
    private partial void LogServerStandardError(string server, string line);

    /// <summary>Whether a call got past connecting, for the wording of a timeout.</summary>
    private sealed class CallPhase
    {
        public volatile bool Connected;
    }

    /// <summary>One connected client, its transport and its cached tool list.</summary>
    private sealed class Session(McpClient client, IClientTransport transport) : IAsyncDisposable
    {
        private readonly Lock _gate = new();
        private Task<IReadOnlyList<McpToolInfo>>? _tools;

        public McpClient Client { get; } = client;

        public IAsyncDisposable? ListChangedRegistration { get; set; }

        public bool IsClosed => Client.Completion.IsCompleted;

        public Task<IReadOnlyList<McpToolInfo>> GetOrFetchTools(Func<McpClient, Task<IReadOnlyList<McpToolInfo>>> fetch)
        {
            lock (_gate)
            {
                // A failed fetch nobody waited for is not kept: the next caller fetches again.
                if (_tools is null || _tools.IsFaulted || _tools.IsCanceled)
                {
                    _tools = fetch(Client);
                }

                return _tools;
            }
        }

        public void ForgetTools(Task<IReadOnlyList<McpToolInfo>>? only = null)
        {
            lock (_gate)
            {
                if (only is null || ReferenceEquals(_tools, only))
                {
                    _tools = null;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (ListChangedRegistration is { } registration)
            {
                await registration.DisposeAsync().ConfigureAwait(false);
            }

            await Client.DisposeAsync().ConfigureAwait(false);
            await DisposeTransportAsync(transport).ConfigureAwait(false);
        }
    }
}
