using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Anthropic;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OllamaSharp;
using OpenAI;
using OpenAI.Chat;
using OpenCode.Runtime.Privacy;
using OpenCode.Runtime.Security;
using AnthropicClientOptions = Anthropic.Core.ClientOptions;

namespace OpenCode.Runtime.Models;

/// <summary>
/// Hands out one <see cref="IChatClient"/> per (provider, endpoint, model), built on first use and cached for the
/// life of the process: building a client per turn would cost allocations, TLS handshakes and warm connections.
/// Thread-safe; register as a singleton (<see cref="ModelProviderServiceCollectionExtensions.AddModelProviders"/>).
/// </summary>
/// <remarks>
/// <para>Credentials come only from configuration (<c>Providers:&lt;provider&gt;:ApiKey</c>, then
/// <c>OPENAI_API_KEY</c> / <c>ANTHROPIC_API_KEY</c>) and are never logged.</para>
/// <para>An API key is sent only to a trusted endpoint: the provider's public default, the operator's
/// <c>Providers:&lt;provider&gt;:Endpoint</c>, or no endpoint at all in the agent (which means one of those).
/// An endpoint chosen by an agent that is neither gets the placeholder key <see cref="PlaceholderApiKey"/>,
/// so an agent author cannot make the server send the operator's key to a host of their choosing.</para>
/// <para>The returned clients are the providers' own adapters, behind a <see cref="PiiMaskingChatClient"/> unless
/// <c>Privacy:MaskPii</c> is false, without other middleware (no function invocation): the turn loop runs tool
/// calls itself.</para>
/// </remarks>
public sealed class ChatClientFactory : IDisposable
{
    /// <summary>The named <see cref="HttpClient"/> every model client sends through.</summary>
    public const string HttpClientName = "OpenCode.Models";

    /// <summary>The key sent when none is configured (or the endpoint is not trusted): local OpenAI-compatible servers ignore it.</summary>
    public const string PlaceholderApiKey = "unused";

    internal static readonly Uri OpenAIDefaultEndpoint = new("https://api.openai.com/v1");
    internal static readonly Uri AnthropicDefaultEndpoint = new("https://api.anthropic.com");
    internal static readonly Uri OllamaDefaultEndpoint = new("http://127.0.0.1:11434/");
    private const int OllamaDefaultPort = 11434;

    private readonly ConcurrentDictionary<ModelEndpoint, Lazy<CachedClient>> _clients = new(EndpointComparer.Instance);
    private readonly IConfiguration _configuration;
    private readonly IHttpMessageHandlerFactory _handlers;
    private readonly ILogger<ChatClientFactory> _logger;
    private readonly ModelClientOptions _options;
    private readonly EndpointPolicy _policy;
    private readonly bool _maskPii;
    private volatile bool _disposed;

    /// <param name="configuration">Provider credentials and endpoints (<c>Providers:*</c>) and network settings (<c>Models:*</c>).</param>
    /// <param name="handlers">The HTTP client factory's handlers: every client sends through the shared <see cref="HttpClientName"/> handler.</param>
    /// <param name="logger">Logs which clients are built, never a credential.</param>
    /// <param name="policy">
    /// Checks an agent's own endpoint again before a client is built for it: the agent may have been saved under a
    /// more permissive allow-list.
    /// </param>
    /// <param name="privacy">Whether what is sent to a model is masked (<see cref="PrivacyOptions.MaskPii"/>).</param>
    public ChatClientFactory(
        IConfiguration configuration,
        IHttpMessageHandlerFactory handlers,
        ILogger<ChatClientFactory> logger,
        EndpointPolicy policy,
        IOptions<PrivacyOptions> privacy)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(privacy);
        _configuration = configuration;
        _handlers = handlers;
        _logger = logger;
        _policy = policy;
        _options = ModelClientOptions.From(configuration);
        _maskPii = privacy.Value.MaskPii;
    }

    /// <summary>The cached client for <paramref name="endpoint"/>, built on first use.</summary>
    /// <exception cref="ArgumentException">
    /// Unknown provider, missing model name, or an endpoint that is not an absolute http(s) URL or that the policy refuses.
    /// </exception>
    public IChatClient Get(ModelEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ObjectDisposedException.ThrowIf(_disposed, this);

        var entry = _clients.GetOrAdd(
            endpoint,
            static (key, self) => new Lazy<CachedClient>(() => self.Create(key), LazyThreadSafetyMode.ExecutionAndPublication),
            this);
        try
        {
            return entry.Value.ChatClient;
        }
        catch
        {
            // Do not cache a failed construction.
            _clients.TryRemove(new KeyValuePair<ModelEndpoint, Lazy<CachedClient>>(endpoint, entry));
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var entry in _clients.Values)
        {
            if (entry.IsValueCreated)
                entry.Value.Dispose();
        }
        _clients.Clear();
    }

    private CachedClient Create(ModelEndpoint key)
    {
        var provider = ModelProviders.Canonical(key.Provider)
            ?? throw new ArgumentException(
                $"Unknown model provider '{key.Provider}'; expected one of: {string.Join(", ", ModelProviders.Known)}.", "endpoint");
        if (string.IsNullOrWhiteSpace(key.Name))
            throw new ArgumentException("A model name is required.", "endpoint");
        var agentEndpoint = provider == ModelProviders.Ollama ? ParseOllamaHost(key.Endpoint, "model endpoint")?.ToString() : key.Endpoint;
        if (agentEndpoint is not null && _policy.RefusalFor(agentEndpoint) is { } refusal)
            throw new ArgumentException($"The model endpoint is not allowed: {refusal}.", "endpoint");

        var client = provider switch
        {
            ModelProviders.Anthropic => CreateAnthropic(key),
            ModelProviders.Ollama => CreateOllama(key),
            _ => CreateOpenAI(provider, key),
        };
        _logger.LogDebug("Created chat client for {Provider} model {Model} at {Endpoint}", provider, key.Name, client.SafeEndpoint);
        return _maskPii ? client.MaskingPii() : client;
    }

    private CachedClient CreateOpenAI(string provider, ModelEndpoint key)
    {
        var configured = ParseUrl(_configuration[$"Providers:{provider}:Endpoint"], $"Providers:{provider}:Endpoint");
        var agentEndpoint = ParseUrl(key.Endpoint, "model endpoint");
        var endpoint = agentEndpoint ?? configured;
        if (endpoint is null && provider == ModelProviders.OpenAICompatible)
            throw new ArgumentException(
                $"Provider '{ModelProviders.OpenAICompatible}' needs an endpoint (in the agent's model or Providers:{provider}:Endpoint).", "endpoint");
        endpoint ??= OpenAIDefaultEndpoint;

        var trusted = agentEndpoint is null || SameEndpoint(endpoint, configured)
            || (provider == ModelProviders.OpenAI && SameEndpoint(endpoint, OpenAIDefaultEndpoint));
        var apiKey = ApiKey(provider, "OPENAI_API_KEY", trusted, endpoint);

        var http = NewHttpClient(Timeout.InfiniteTimeSpan); // the SDK's NetworkTimeout governs
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            Transport = new HttpClientPipelineTransport(http),
            NetworkTimeout = _options.RequestTimeout,
            RetryPolicy = new ClientRetryPolicy(_options.MaxRetries),
            // The SDK's own request logging costs time on every call and could write headers to logs.
            ClientLoggingOptions = new ClientLoggingOptions { EnableLogging = false, EnableMessageLogging = false, EnableMessageContentLogging = false },
        };
        var chat = new ChatClient(key.Name, new ApiKeyCredential(apiKey), options).AsIChatClient();
        return new CachedClient(chat, SafeEndpoint(endpoint), http);
    }

    private CachedClient CreateAnthropic(ModelEndpoint key)
    {
        var configured = AnthropicBase(ParseUrl(_configuration["Providers:anthropic:Endpoint"], "Providers:anthropic:Endpoint"));
        var agentEndpoint = AnthropicBase(ParseUrl(key.Endpoint, "model endpoint"));
        var endpoint = agentEndpoint ?? configured ?? AnthropicDefaultEndpoint;

        var trusted = agentEndpoint is null || SameEndpoint(endpoint, configured) || SameEndpoint(endpoint, AnthropicDefaultEndpoint);
        var apiKey = ApiKey(ModelProviders.Anthropic, "ANTHROPIC_API_KEY", trusted, endpoint);

        var http = NewHttpClient(Timeout.InfiniteTimeSpan); // the SDK's Timeout governs
        var anthropic = new AnthropicClient(new AnthropicClientOptions
        {
            ApiKey = apiKey,
            BaseUrl = endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/'),
            HttpClient = http,
            Timeout = _options.RequestTimeout,
            MaxRetries = _options.MaxRetries,
        });
        var chat = anthropic.AsIChatClient(key.Name, defaultMaxOutputTokens: null);
        return new CachedClient(chat, SafeEndpoint(endpoint), anthropic, http);
    }

    private CachedClient CreateOllama(ModelEndpoint key)
    {
        var endpoint = ParseOllamaHost(key.Endpoint, "model endpoint")
            ?? ParseOllamaHost(_configuration["Providers:ollama:Endpoint"], "Providers:ollama:Endpoint")
            ?? ParseOllamaHost(_configuration["OLLAMA_HOST"] ?? Environment.GetEnvironmentVariable("OLLAMA_HOST"), "OLLAMA_HOST")
            ?? OllamaDefaultEndpoint;

        // OllamaSharp has no timeout of its own: the HttpClient's covers sending until the response headers
        // (the whole body for a non-streaming call).
        var http = NewHttpClient(_options.RequestTimeout, reportErrors: true);
        http.BaseAddress = endpoint;
        var chat = new OllamaApiClient(http, key.Name);
        return new CachedClient(chat, SafeEndpoint(endpoint), http);
    }

    private string ApiKey(string provider, string environmentVariable, bool trusted, Uri endpoint)
    {
        if (!trusted)
        {
            _logger.LogDebug(
                "Sending a placeholder, not a configured {Provider} API key, to {Endpoint}: it is neither the provider's default endpoint nor the configured one",
                provider, SafeEndpoint(endpoint));
            return PlaceholderApiKey;
        }

        var apiKey = _configuration[$"Providers:{provider}:ApiKey"];
        if (string.IsNullOrWhiteSpace(apiKey))
            apiKey = _configuration[environmentVariable];
        if (string.IsNullOrWhiteSpace(apiKey))
            apiKey = Environment.GetEnvironmentVariable(environmentVariable);
        if (!string.IsNullOrWhiteSpace(apiKey))
            return apiKey.Trim();

        _logger.LogDebug("No API key configured for {Provider}; sending a placeholder to {Endpoint}", provider, SafeEndpoint(endpoint));
        return PlaceholderApiKey;
    }

    /// <summary>
    /// A client over the shared handler (what <c>IHttpClientFactory.CreateClient</c> does), optionally behind a
    /// <see cref="ProviderErrorHandler"/>. Disposing it leaves the shared handler alone.
    /// </summary>
    private HttpClient NewHttpClient(TimeSpan timeout, bool reportErrors = false)
    {
        var handler = _handlers.CreateHandler(HttpClientName);
        if (reportErrors)
            handler = new ProviderErrorHandler(handler);
        return new HttpClient(handler, disposeHandler: false) { Timeout = timeout };
    }

    private static Uri? ParseUrl(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        if (Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            return uri;
        throw new ArgumentException($"The {what} is not an absolute http(s) URL.", nameof(value));
    }

    /// <summary>The SDK appends <c>/v1/messages</c> to its base URL, so a base URL given with <c>/v1</c> loses it.</summary>
    private static Uri? AnthropicBase(Uri? uri)
    {
        if (uri is null)
            return null;
        var path = uri.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
            return uri;
        return new UriBuilder(uri) { Path = path[..^3], Query = "", Fragment = "" }.Uri;
    }

    /// <summary>
    /// An Ollama address the way Ollama itself reads <c>OLLAMA_HOST</c>: the scheme defaults to http and the port
    /// to 11434 when neither is given, and a wildcard bind address means this machine.
    /// The result ends with '/', as OllamaSharp resolves relative paths (<c>api/chat</c>) against it.
    /// </summary>
    internal static Uri? ParseOllamaHost(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        value = value.Trim();
        var hasScheme = value.Contains("://", StringComparison.Ordinal);
        if (!Uri.TryCreate(hasScheme ? value : "http://" + value, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"The {what} is not a valid Ollama address.", nameof(value));

        var builder = new UriBuilder(uri);
        if (!hasScheme && uri.IsDefaultPort)
            builder.Port = OllamaDefaultPort;
        if (builder.Host is "0.0.0.0")
            builder.Host = "127.0.0.1";
        else if (builder.Host is "[::]" or "::")
            builder.Host = "[::1]";
        if (!builder.Path.EndsWith('/'))
            builder.Path += "/";
        return builder.Uri;
    }

    private static bool SameEndpoint(Uri endpoint, Uri? other) =>
        other is not null && string.Equals(Normalize(endpoint), Normalize(other), StringComparison.OrdinalIgnoreCase);

    private static string Normalize(Uri uri) =>
        uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/');

    /// <summary>Scheme, host, port and path only: an endpoint may carry user info or a key in its query.</summary>
    private static string SafeEndpoint(Uri uri) =>
        uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    private sealed class CachedClient(IChatClient chatClient, string safeEndpoint, params IDisposable[] owned) : IDisposable
    {
        public IChatClient ChatClient { get; } = chatClient;
        public string SafeEndpoint { get; } = safeEndpoint;

        /// <summary>The same client behind a <see cref="PiiMaskingChatClient"/>, which disposes it in turn.</summary>
        public CachedClient MaskingPii() => new(new PiiMaskingChatClient(ChatClient), SafeEndpoint, owned);

        public void Dispose()
        {
            ChatClient.Dispose();
            foreach (var disposable in owned)
                disposable.Dispose();
        }
    }

    /// <summary>Provider names compare case-insensitively; model names and endpoints exactly.</summary>
    private sealed class EndpointComparer : IEqualityComparer<ModelEndpoint>
    {
        public static readonly EndpointComparer Instance = new();

        public bool Equals(ModelEndpoint? x, ModelEndpoint? y) =>
            ReferenceEquals(x, y)
            || (x is not null && y is not null
                && string.Equals(x.Provider, y.Provider, StringComparison.OrdinalIgnoreCase)
                && string.Equals(x.Name, y.Name, StringComparison.Ordinal)
                && string.Equals(x.Endpoint, y.Endpoint, StringComparison.Ordinal));

        public int GetHashCode(ModelEndpoint obj) =>
            HashCode.Combine(
                obj.Provider is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Provider),
                obj.Name,
                obj.Endpoint);
    }
}
