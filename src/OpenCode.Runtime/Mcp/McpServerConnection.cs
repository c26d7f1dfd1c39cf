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
using OpenCode.Runtime.Privacy;
using OpenCode.Runtime.Security;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Mcp;

/// <summary>
/// The supervised client session to one MCP server. It connects on first use (concurrent first callers share
/// one connect), caches the tool list per session (fetched again when the server says it changed), and turns
/// every tool or server failure of a call into an error result. A session whose transport ended (a process exit,
/// a closed socket or stream) or that does not answer a ping while idle is dropped and rebuilt in the background
/// with backoff (<see cref="McpSupervisionOptions"/>): the SDK never re-creates a dead client itself. A call never
/// waits for the backoff: it connects at once. Thread-safe; all SDK work runs on the thread pool, never on the
/// scheduler of the grain that owns this object.
/// </summary>
internal sealed partial class McpServerConnection : IAsyncDisposable
{
    /// <summary>How long starting a server and the MCP handshake may take.</summary>
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// From this protocol revision on a server sends <c>list_changed</c> only over a <c>subscriptions/listen</c> request the
    /// client keeps open; before it, unasked.
    /// </summary>
    private const string ListenProtocolVersion = "2026-07-28";

    private static readonly TimeSpan ChangeStreamSettleTime = TimeSpan.FromSeconds(1);

    private static readonly McpClientOptions ClientOptions = new()
    {
        ClientInfo = new Implementation { Name = "opencode-orleans", Version = "1.0.0" },
        InitializationTimeout = ConnectTimeout,
    };

    private readonly McpServerSpec _spec;
    private readonly ConfiguredSecrets _secrets;
    private readonly McpSupervisionOptions _supervision;
    private readonly ReconnectBackoff _backoff;
    private readonly SecretRedactor _redactor;
    private readonly ILoggerFactory _loggerFactory;
    private readonly WorkspaceServer _workspace;
    private readonly ConnectionGuard _guard;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _disposing = new();
    private Task<Session>? _session;
    private McpCredentials? _credentials;
    private bool _disposed;

    // What Status reports, guarded by _gate. Failures count lost sessions and failed connects since the server last
    // answered a request: a server that dies right after each handshake backs off instead of being restarted in a loop.
    private int _failures;
    private bool _reconnecting;
    private DateTimeOffset? _nextRetryAt;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;

    public McpServerConnection(McpServerSpec spec, ConfiguredSecrets secrets, McpSupervisionOptions supervision, ILoggerFactory loggerFactory,
        WorkspaceServer workspace, ConnectionGuard guard)
    {
        _spec = spec;
        _secrets = secrets;
        _supervision = supervision;
        _backoff = new ReconnectBackoff(supervision);
        _redactor = new SecretRedactor(spec, secrets);
        _loggerFactory = loggerFactory;
        _workspace = workspace;
        _guard = guard;
        _logger = loggerFactory.CreateLogger<McpServerConnection>();
        CallTimeout = TimeSpan.FromSeconds(Math.Clamp(spec.CallTimeoutSeconds, 1, McpServerSpec.MaxCallTimeoutSeconds));
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

    /// <summary>Where the session stands; never connects.</summary>
    public McpConnectionStatus Status()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return McpConnectionStatus.NotConnected;
            }

            if (_session is { IsCompletedSuccessfully: true, Result: { IsClosed: false } live })
            {
                return new McpConnectionStatus(
                    McpConnectionState.Connected, LastError: _lastError, LastErrorAt: _lastErrorAt, ConnectedSince: live.ConnectedAt, ToolCount: live.ToolCount);
            }

            var connecting = _session is { IsCompleted: false };
            if (_reconnecting || (connecting && _failures > 0))
            {
                return new McpConnectionStatus(
                    McpConnectionState.Reconnecting, _failures, connecting ? null : _nextRetryAt, _lastError, _lastErrorAt);
            }

            return connecting ? new McpConnectionStatus(McpConnectionState.Connecting)
                : _failures > 0 ? new McpConnectionStatus(McpConnectionState.Failed, LastError: _lastError, LastErrorAt: _lastErrorAt)
                : McpConnectionStatus.NotConnected;
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

    private async Task<IReadOnlyList<McpToolInfo>> FetchToolsAsync(Session session)
    {
        var client = session.Client;
        if (client.ServerCapabilities?.Tools is null)
        {
            LogToolsListed(_spec.Name, 0);
            return [];
        }

        using var timeout = new CancellationTokenSource(ConnectTimeout);
        var tools = await client.ListToolsAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
        OnAnswered(session);
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
            session.RequestStarted();
            try
            {
                var result = await session.Client
                    .CallToolAsync(toolName, arguments, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                OnAnswered(session);
                return ToToolResult(toolName, result);
            }
            catch (McpProtocolException exception) when (!cancellationToken.IsCancellationRequested)
            {
                if (await IsRequestErrorAsync(session, exception, cancellationToken).ConfigureAwait(false))
                {
                    // The server answered this call with a JSON-RPC error (unknown tool, invalid arguments, ...).
                    OnAnswered(session);
                    return McpToolResult.Error(_redactor.Redact($"Tool '{toolName}' of MCP server '{_spec.Name}' failed: {exception.Message}"));
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
            finally
            {
                session.RequestEnded();
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
        try
        {
            var session = await OpenSessionAsync().ConfigureAwait(false);
            _ = Task.Run(() => PingWhileIdleAsync(session), CancellationToken.None);
            if (session.Client.ServerCapabilities?.Tools?.ListChanged == true)
            {
                if (string.CompareOrdinal(session.Client.NegotiatedProtocolVersion, ListenProtocolVersion) >= 0)
                {
                    _ = Task.Run(() => ListenForToolChangesAsync(session), CancellationToken.None);
                }

                _ = Task.Run(() => RefreshWhenSettledAsync(session), CancellationToken.None);
            }

            return session;
        }
        catch (Exception exception) when (!_disposing.IsCancellationRequested)
        {
            lock (_gate)
            {
                RecordFailure(Describe(exception));
                ScheduleReconnect();
            }

            throw;
        }
    }

    private async Task<Session> OpenSessionAsync()
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

        var session = new Session(client, transport, TimeProvider.System.GetUtcNow());
        session.ListChangedRegistration = client.RegisterNotificationHandler(
            NotificationMethods.ToolListChangedNotification,
            (_, _) =>
            {
                RefreshTools(session);
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
                        StandardErrorLines = line => LogServerStandardError(_spec.Name, _redactor.Redact(line)),
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
                // Never the SDK's own client: it would follow a redirect anywhere.
                HttpMessageHandler handler = _guard.CreateHandler();
                if (Credentials() is { } credentials)
                {
                    handler = new McpAuthHandler(credentials, handler);
                }

                return new HttpClientTransport(options, new HttpClient(handler), _loggerFactory, ownsHttpClient: true);

            case McpTransport.WebSocket:
                if (!Uri.TryCreate(_spec.Url, UriKind.Absolute, out var socketEndpoint) || (socketEndpoint.Scheme != Uri.UriSchemeWs && socketEndpoint.Scheme != Uri.UriSchemeWss))
                {
                    throw new InvalidOperationException($"'{_spec.Url}' is not a ws(s) URL");
                }

                return new WebSocketClientTransport(_spec.Name, socketEndpoint, Credentials(), _guard.WebSockets, _loggerFactory);

            case McpTransport.InProcess:
                return _workspace.CreateTransport(_spec);

            default:
                throw new InvalidOperationException($"the '{_spec.Transport}' transport is not supported");
        }
    }

    /// <summary>The server's credentials, made once per connection so a cached OAuth 2.0 token outlives a reconnect.</summary>
    private McpCredentials? Credentials() => _credentials ??= McpCredentials.For(_spec.Auth, _secrets, TimeProvider.System, _guard.Occasional);

    /// <summary>
    /// The server said its tools changed: the cached list is forgotten and fetched again at once, so the next turn
    /// finds the new list ready. Not awaited here: this runs on the session's message loop, which the answer needs.
    /// </summary>
    private void RefreshTools(Session session)
    {
        LogToolListChanged(_spec.Name);
        session.ForgetTools();
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await session.GetOrFetchTools(FetchToolsAsync).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    session.ForgetTools(); // the next listing fetches (and reports) it again
                    LogToolRefreshFailed(_spec.Name, _redactor.Redact(Describe(exception)));
                }
            },
            CancellationToken.None);
    }

    /// <summary>
    /// A server's <c>list_changed</c> travels on a stream the client opens after connecting (the stream after
    /// <c>initialize</c>, or the <c>subscriptions/listen</c> request), and the server gives no sign of when that is in
    /// place: a change made before it would go unnoticed, so the list is fetched once more when the session has settled.
    /// </summary>
    private async Task RefreshWhenSettledAsync(Session session)
    {
        try
        {
            await Task.Delay(ChangeStreamSettleTime, session.Closing).ConfigureAwait(false);
            RefreshTools(session);
        }
        catch (OperationCanceledException)
        {
            // The session was closed.
        }
    }

    /// <summary>Keeps a <c>subscriptions/listen</c> request for tool list changes open for the life of the session.</summary>
    private async Task ListenForToolChangesAsync(Session session)
    {
        try
        {
            await session.Client.SendRequestAsync<SubscriptionsListenRequestParams, EmptyResult>(
                RequestMethods.SubscriptionsListen,
                new SubscriptionsListenRequestParams { Notifications = new SubscriptionsListenNotifications { ToolsListChanged = true } },
                cancellationToken: session.Closing).ConfigureAwait(false);
        }
        catch (Exception exception) when (!session.Closing.IsCancellationRequested)
        {
            // Not fatal: the tools are still listed, just not refreshed before the session is rebuilt.
            LogListenFailed(_spec.Name, _redactor.Redact(Describe(exception)));
        }
        catch (Exception)
        {
            // The session was closed.
        }
    }

    /// <summary>
    /// Pings <paramref name="session"/> whenever it has been idle (nothing in flight, no answer) for a ping interval;
    /// no answer within the ping timeout drops it. Between calls nothing else notices an HTTP server that went away.
    /// </summary>
    private async Task PingWhileIdleAsync(Session session)
    {
        var interval = _supervision.PingInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(session.Closing).ConfigureAwait(false))
            {
                if (!session.IsIdleFor(interval))
                {
                    continue;
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(session.Closing);
                timeout.CancelAfter(_supervision.PingTimeout);
                try
                {
                    await session.Client.PingAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
                    OnAnswered(session);
                }
                catch (McpProtocolException exception) when (exception.ErrorCode == McpErrorCode.MethodNotFound)
                {
                    OnAnswered(session); // a server without ping, but one that answers on this session
                }
                catch (Exception exception) when (!session.Closing.IsCancellationRequested)
                {
                    Drop(session, timeout.IsCancellationRequested
                        ? new TimeoutException($"no answer to a ping within {_supervision.PingTimeout.TotalSeconds:0.#} s", exception)
                        : exception);
                    return;
                }
            }
        }
        catch (Exception) when (session.Closing.IsCancellationRequested)
        {
            // The session was closed.
        }
    }

    /// <summary>The server answered a request on <paramref name="session"/>: it is healthy, and backoff starts over.</summary>
    private void OnAnswered(Session session)
    {
        session.Answered();
        if (Volatile.Read(ref _failures) != 0)
        {
            lock (_gate)
            {
                _failures = 0;
            }
        }
    }

    private void OnSessionClosed(Session session, ClientCompletionDetails details)
    {
        var reason = Describe(details);
        if (Drop(session, reason))
        {
            LogSessionClosed(_spec.Name, _redactor.Redact(reason));
        }
    }

    private void Drop(Session session, Exception reason)
    {
        var description = Describe(reason);
        if (Drop(session, description))
        {
            LogSessionDropped(_spec.Name, _redactor.Redact(description));
        }
    }

    /// <summary>
    /// Forgets <paramref name="session"/> (when it is still the current one), disposes it and has it rebuilt in the
    /// background. False when it was forgotten already.
    /// </summary>
    private bool Drop(Session session, string reason)
    {
        lock (_gate)
        {
            if (_session is not { IsCompletedSuccessfully: true } current || current.Result != session)
            {
                return false;
            }

            _session = null;
            RecordFailure(reason);
            ScheduleReconnect();
        }

        DisposeInBackground(session);
        return true;
    }

    /// <summary>Counts a lost session or failed connect. Holds <see cref="_gate"/>.</summary>
    private void RecordFailure(string reason)
    {
        _failures++;
        _lastError = _redactor.Redact(reason);
        _lastErrorAt = TimeProvider.System.GetUtcNow();
    }

    /// <summary>Starts the background reconnect loop unless it runs, is turned off or gave up. Holds <see cref="_gate"/>.</summary>
    private void ScheduleReconnect()
    {
        if (_disposed || _reconnecting || _supervision.MaxRetries == 0 || _failures > _supervision.MaxRetries)
        {
            return;
        }

        _reconnecting = true;
        var stopping = _disposing.Token;
        _ = Task.Run(() => ReconnectAsync(stopping), CancellationToken.None);
    }

    /// <summary>
    /// Waits the backoff of the current failure count, then connects (or joins a connect a call started), until a
    /// session is live, retries are used up or the connection is disposed. A failed attempt records itself.
    /// </summary>
    private async Task ReconnectAsync(CancellationToken stopping)
    {
        while (true)
        {
            TimeSpan delay;
            int attempt;
            lock (_gate)
            {
                if (_disposed || _failures > _supervision.MaxRetries || _session is { IsCompletedSuccessfully: true, Result.IsClosed: false })
                {
                    _reconnecting = false;
                    _nextRetryAt = null;
                    if (!_disposed && _failures > _supervision.MaxRetries)
                    {
                        LogReconnectGaveUp(_spec.Name, _supervision.MaxRetries, _lastError ?? "");
                    }

                    return;
                }

                attempt = _failures;
                delay = _backoff.Delay(attempt);
                _nextRetryAt = TimeProvider.System.GetUtcNow() + delay;
            }

            LogReconnectScheduled(_spec.Name, attempt, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
                lock (_gate)
                {
                    _nextRetryAt = null;
                }

                await GetSessionAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception) when (!stopping.IsCancellationRequested)
            {
                // ConnectAsync recorded why; the loop decides what comes next.
            }
            catch (Exception)
            {
                lock (_gate)
                {
                    _reconnecting = false;
                    _nextRetryAt = null;
                }

                return;
            }
        }
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
        ?? new McpServerUnavailableException(_spec.Name, _redactor.Redact($"MCP server '{_spec.Name}' is unavailable: {Describe(exception)}"));

    private McpToolResult ToToolResult(string toolName, CallToolResult result)
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
            return McpToolResult.Error(text.Length > 0 ? _redactor.Redact(text) : $"Tool '{toolName}' reported an error without a message.");
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
                case ClientTransportClosedException { Details: StdioClientCompletionDetails or HttpClientCompletionDetails { HttpStatusCode: not null } } closed:
                    return Describe(closed.Details);
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

    /// <summary>Why a session ended, from what its transport reported.</summary>
    private static string Describe(ClientCompletionDetails details)
    {
        switch (details)
        {
            case StdioClientCompletionDetails stdio:
                var reason = stdio.ExitCode is { } code ? $"the server process exited with code {code}" : "the server process exited";
                var stderr = stdio.StandardErrorTail is { Count: > 0 } tail ? $" (stderr: {string.Join(" | ", tail.TakeLast(3))})" : "";
                return reason + stderr;
            case HttpClientCompletionDetails { HttpStatusCode: { } status }:
                return $"the connection was closed (HTTP {(int)status} {status})";
            case { Exception: { } exception }:
                return Describe(exception);
            default:
                return "the server closed the session";
        }
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
    private partial void LogSessionDropped(string server, [Pii] string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP session to {Server} ended: {Reason}")]
    private partial void LogSessionClosed(string server, [Pii] string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server {Server} says its tools changed; listing them again")]
    private partial void LogToolListChanged(string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for tool changes of MCP server {Server} failed: {Reason}")]
    private partial void LogListenFailed(string server, [Pii] string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing the changed tools of MCP server {Server} failed: {Reason}")]
    private partial void LogToolRefreshFailed(string server, [Pii] string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnecting to MCP server {Server}: attempt {Attempt} in {DelaySeconds:0.0} s")]
    private partial void LogReconnectScheduled(string server, int attempt, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up reconnecting to MCP server {Server} after {Attempts} attempts; the next call tries again. Last error: {Reason}")]
    private partial void LogReconnectGaveUp(string server, int attempts, [Pii] string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tool {Tool} of MCP server {Server} timed out after {Seconds} s")]
    private partial void LogCallTimedOut(string server, string tool, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Disposing the MCP session to {Server} failed: {Reason}")]
    private partial void LogDisposeFailed(string server, [Pii] string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "MCP server {Server} stderr: {Line}")]
    private partial void LogServerStandardError(string server, [Pii] string line);

    /// <summary>Whether a call got past connecting, for the wording of a timeout.</summary>
    private sealed class CallPhase
    {
        public volatile bool Connected;
    }

    /// <summary>One connected client, its transport, its cached tool list and how recently it answered.</summary>
    private sealed class Session : IAsyncDisposable
    {
        private readonly IClientTransport _transport;
        private readonly Lock _gate = new();
        private readonly CancellationTokenSource _closing = new();
        private Task<IReadOnlyList<McpToolInfo>>? _tools;
        private long _lastAnswer = Environment.TickCount64;
        private int _inFlight;
        private int _disposed;

        public Session(McpClient client, IClientTransport transport, DateTimeOffset connectedAt)
        {
            Client = client;
            _transport = transport;
            ConnectedAt = connectedAt;
            Closing = _closing.Token;
        }

        public McpClient Client { get; }

        public DateTimeOffset ConnectedAt { get; }

        /// <summary>Cancelled when the session is disposed.</summary>
        public CancellationToken Closing { get; }

        public IAsyncDisposable? ListChangedRegistration { get; set; }

        public bool IsClosed => Client.Completion.IsCompleted;

        /// <summary>How many tools the server offers, once listed on this session.</summary>
        public int? ToolCount
        {
            get
            {
                lock (_gate)
                {
                    return _tools is { IsCompletedSuccessfully: true } tools ? tools.Result.Count : null;
                }
            }
        }

        public void RequestStarted() => Interlocked.Increment(ref _inFlight);

        public void RequestEnded() => Interlocked.Decrement(ref _inFlight);

        public void Answered() => Volatile.Write(ref _lastAnswer, Environment.TickCount64);

        public bool IsIdleFor(TimeSpan interval) =>
            Volatile.Read(ref _inFlight) == 0 && Environment.TickCount64 - Volatile.Read(ref _lastAnswer) >= (long)interval.TotalMilliseconds;

        public Task<IReadOnlyList<McpToolInfo>> GetOrFetchTools(Func<Session, Task<IReadOnlyList<McpToolInfo>>> fetch)
        {
            lock (_gate)
            {
                // A failed fetch nobody waited for is not kept: the next caller fetches again.
                if (_tools is null || _tools.IsFaulted || _tools.IsCanceled)
                {
                    _tools = fetch(this);
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
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            await _closing.CancelAsync().ConfigureAwait(false);
            if (ListChangedRegistration is { } registration)
            {
                await registration.DisposeAsync().ConfigureAwait(false);
            }

            await Client.DisposeAsync().ConfigureAwait(false);
            await DisposeTransportAsync(_transport).ConfigureAwait(false);
            _closing.Dispose();
        }
    }
}
