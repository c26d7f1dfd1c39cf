using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenCode.Abstractions;
using OpenCode.Runtime.Models;

namespace OpenCode.Runtime.Tests.Models;

public sealed class ChatClientFactoryTests(ModelStubServer stub) : IClassFixture<ModelStubServer>
{
    private const string OpenAIKey = "sk-test-openai-0123456789";
    private const string AnthropicKey = "sk-ant-test-0123456789";

    private string OpenAIEndpoint => stub.BaseUrl + "/v1";

    // ---- OpenAI ------------------------------------------------------------------------------------------

    [Fact]
    public async Task OpenAI_via_endpoint_answers_reports_usage_and_sends_the_configured_key()
    {
        using var host = new ModelTestHost(("Providers:openai:ApiKey", OpenAIKey), ("Providers:openai:Endpoint", OpenAIEndpoint));
        var client = host.Get("openai", "gpt-plain", OpenAIEndpoint);

        var response = await ModelTestHost.AskAsync(client);

        Assert.Equal("Hello from openai", response.Text);
        Assert.Equal(ModelStubServer.OpenAIPromptTokens, response.Usage?.InputTokenCount);
        Assert.Equal(ModelStubServer.OpenAICompletionTokens, response.Usage?.OutputTokenCount);
        var request = Assert.Single(stub.RequestsFor("gpt-plain"));
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal($"Bearer {OpenAIKey}", request.Header("Authorization"));
    }

    [Fact]
    public async Task OpenAI_without_agent_endpoint_uses_the_configured_endpoint_and_key()
    {
        using var host = new ModelTestHost(("Providers:openai:ApiKey", OpenAIKey), ("Providers:openai:Endpoint", OpenAIEndpoint + "/"));
        var response = await ModelTestHost.AskAsync(host.Get("OpenAI", "gpt-configured"));

        Assert.Equal("Hello from openai", response.Text);
        Assert.Equal($"Bearer {OpenAIKey}", Assert.Single(stub.RequestsFor("gpt-configured")).Header("Authorization"));
    }

    [Fact]
    public async Task OpenAI_streaming_yields_text_and_usage()
    {
        using var host = new ModelTestHost(("Providers:openai:ApiKey", OpenAIKey), ("Providers:openai:Endpoint", OpenAIEndpoint));
        var (text, usage) = await ModelTestHost.StreamAsync(host.Get("openai", "gpt-stream", OpenAIEndpoint));

        Assert.Equal("Hello world", text);
        Assert.Equal(ModelStubServer.OpenAIPromptTokens, usage?.InputTokenCount);
        Assert.Equal(ModelStubServer.OpenAICompletionTokens, usage?.OutputTokenCount);
        var body = Assert.Single(stub.RequestsFor("gpt-stream")).Body;
        Assert.True(body["stream"]?.GetValue<bool>());
        Assert.True(body["stream_options"]?["include_usage"]?.GetValue<bool>()); // the SDK asks for usage on its own
    }

    [Fact]
    public async Task OpenAI_compatible_custom_endpoint_without_key_sends_a_placeholder()
    {
        using var host = new ModelTestHost();
        var response = await ModelTestHost.AskAsync(host.Get("openai-compatible", "local-llm", OpenAIEndpoint));

        Assert.Equal("Hello from openai", response.Text);
        Assert.Equal($"Bearer {ChatClientFactory.PlaceholderApiKey}", Assert.Single(stub.RequestsFor("local-llm")).Header("Authorization"));
    }

    [Fact]
    public async Task OpenAI_compatible_uses_its_own_key_for_its_configured_endpoint()
    {
        using var host = new ModelTestHost(
            ("Providers:openai-compatible:ApiKey", "compat-key-0123456789"),
            ("Providers:openai-compatible:Endpoint", OpenAIEndpoint));
        await ModelTestHost.AskAsync(host.Get("openai-compatible", "compat-configured"));

        Assert.Equal("Bearer compat-key-0123456789", Assert.Single(stub.RequestsFor("compat-configured")).Header("Authorization"));
    }

    [Fact]
    public async Task The_configured_key_is_not_sent_to_an_endpoint_the_operator_did_not_configure()
    {
        using var host = new ModelTestHost(("Providers:openai:ApiKey", OpenAIKey), ("Providers:openai:Endpoint", OpenAIEndpoint));
        var elsewhere = $"http://localhost:{stub.Port}/v1"; // same server, but not the configured endpoint
        var response = await ModelTestHost.AskAsync(host.Get("openai", "gpt-elsewhere", elsewhere));

        Assert.Equal("Hello from openai", response.Text);
        Assert.Equal($"Bearer {ChatClientFactory.PlaceholderApiKey}", Assert.Single(stub.RequestsFor("gpt-elsewhere")).Header("Authorization"));
    }

    // ---- Anthropic ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData("")]
    [InlineData("/v1")]
    public async Task Anthropic_via_base_url_answers_reports_usage_and_sends_the_configured_key(string suffix)
    {
        var model = "claude-plain" + suffix.Replace('/', '-');
        using var host = new ModelTestHost(("Providers:anthropic:ApiKey", AnthropicKey), ("Providers:anthropic:Endpoint", stub.BaseUrl + suffix));
        var response = await ModelTestHost.AskAsync(host.Get("anthropic", model, stub.BaseUrl + suffix));

        Assert.Equal("Hello from anthropic", response.Text);
        Assert.Equal(ModelStubServer.AnthropicInputTokens, response.Usage?.InputTokenCount);
        Assert.Equal(ModelStubServer.AnthropicOutputTokens, response.Usage?.OutputTokenCount);
        var request = Assert.Single(stub.RequestsFor(model));
        Assert.Equal("/v1/messages", request.Path);
        // Anthropic SDK 13.x sends ClientOptions.ApiKey as "Authorization: Bearer", not x-api-key.
        Assert.Equal($"Bearer {AnthropicKey}", request.Header("Authorization"));
        Assert.Null(request.Header("x-api-key"));
        Assert.False(string.IsNullOrEmpty(request.Header("anthropic-version")));
        Assert.NotNull(request.Body["max_tokens"]); // required by the API; the adapter fills a default
    }

    [Fact]
    public async Task Anthropic_streaming_yields_text_and_usage()
    {
        using var host = new ModelTestHost(("Providers:anthropic:ApiKey", AnthropicKey), ("Providers:anthropic:Endpoint", stub.BaseUrl));
        var (text, usage) = await ModelTestHost.StreamAsync(host.Get("anthropic", "claude-stream"));

        Assert.Equal("Hello world", text);
        Assert.Equal(ModelStubServer.AnthropicInputTokens, usage?.InputTokenCount);
        Assert.Equal(ModelStubServer.AnthropicOutputTokens, usage?.OutputTokenCount);
        Assert.Equal($"Bearer {AnthropicKey}", Assert.Single(stub.RequestsFor("claude-stream")).Header("Authorization"));
    }

    [Fact]
    public async Task Anthropic_error_event_in_the_stream_is_classified()
    {
        using var host = new ModelTestHost(("Providers:anthropic:Endpoint", stub.BaseUrl));
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => ModelTestHost.StreamAsync(host.Get("anthropic", "stream-overloaded")));

        var error = ModelFailure.Classify(ex);
        Assert.Equal(ErrorCodes.ModelUnavailable, error.Code);
        Assert.Contains("Overloaded", error.Message);
    }

    // ---- Ollama ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Ollama_answers_and_reports_usage()
    {
        using var host = new ModelTestHost();
        var response = await ModelTestHost.AskAsync(host.Get("ollama", "llama-plain", stub.BaseUrl));

        Assert.Equal("Hello from ollama", response.Text);
        Assert.Equal(ModelStubServer.OllamaPromptTokens, response.Usage?.InputTokenCount);
        Assert.Equal(ModelStubServer.OllamaEvalTokens, response.Usage?.OutputTokenCount);
        Assert.Equal("/api/chat", Assert.Single(stub.RequestsFor("llama-plain")).Path);
    }

    [Fact]
    public async Task Ollama_streaming_yields_text_and_usage()
    {
        // An OLLAMA_HOST-style address: no scheme.
        using var host = new ModelTestHost(("Providers:ollama:Endpoint", $"127.0.0.1:{stub.Port}"));
        var (text, usage) = await ModelTestHost.StreamAsync(host.Get("ollama", "llama-stream"));

        Assert.Equal("Hello world", text);
        Assert.Equal(ModelStubServer.OllamaPromptTokens, usage?.InputTokenCount);
        Assert.Equal(ModelStubServer.OllamaEvalTokens, usage?.OutputTokenCount);
    }

    // ---- Failures ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("openai", 500, false)]
    [InlineData("openai", 400, false)]
    [InlineData("openai", 500, true)]
    [InlineData("openai", 401, true)]
    [InlineData("anthropic", 500, false)]
    [InlineData("anthropic", 400, false)]
    [InlineData("anthropic", 400, true)]
    [InlineData("ollama", 500, false)]
    [InlineData("ollama", 400, false)]
    [InlineData("ollama", 500, true)]
    public async Task An_error_answer_is_a_model_error_with_the_status(string provider, int status, bool streaming)
    {
        using var host = new ModelTestHost();
        var client = host.Get(provider, $"fail-{status}", provider == "openai" ? OpenAIEndpoint : stub.BaseUrl);

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => streaming ? ModelTestHost.StreamAsync(client) : ModelTestHost.AskAsync(client));
        var error = ModelFailure.Classify(ex);

        Assert.Equal(ErrorCodes.ModelError, error.Code);
        Assert.Contains($"HTTP {status}", error.Message);
        Assert.Contains(ModelStubServer.ProviderErrorText, error.Message);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("ollama")]
    public async Task A_503_answer_is_model_unavailable(string provider)
    {
        using var host = new ModelTestHost();
        var client = host.Get(provider, "fail-503", provider == "openai" ? OpenAIEndpoint : stub.BaseUrl);

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => ModelTestHost.AskAsync(client));
        var error = ModelFailure.Classify(ex);

        Assert.Equal(ErrorCodes.ModelUnavailable, error.Code);
        Assert.Contains("503", error.Message);
    }

    [Theory]
    [InlineData("openai", false)]
    [InlineData("openai", true)]
    [InlineData("openai-compatible", false)]
    [InlineData("anthropic", false)]
    [InlineData("anthropic", true)]
    [InlineData("ollama", false)]
    [InlineData("ollama", true)]
    public async Task An_unreachable_port_is_model_unavailable(string provider, bool streaming)
    {
        var endpoint = $"http://127.0.0.1:{ClosedPort()}" + (provider.StartsWith("openai", StringComparison.Ordinal) ? "/v1" : "");
        using var host = new ModelTestHost(("Providers:openai:ApiKey", OpenAIKey), ("Providers:anthropic:ApiKey", AnthropicKey));
        var client = host.Get(provider, "unreachable", endpoint);

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => streaming ? ModelTestHost.StreamAsync(client) : ModelTestHost.AskAsync(client));
        var error = ModelFailure.Classify(ex);

        Assert.Equal(ErrorCodes.ModelUnavailable, error.Code);
        Assert.DoesNotContain(OpenAIKey, error.Message);
        Assert.DoesNotContain(AnthropicKey, error.Message);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("ollama")]
    public async Task A_provider_slower_than_the_request_timeout_is_model_unavailable(string provider)
    {
        using var host = new ModelTestHost(("Models:RequestTimeoutSeconds", "1"));
        var client = host.Get(provider, "slow", provider == "openai" ? OpenAIEndpoint : stub.BaseUrl);

        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => ModelTestHost.AskAsync(client));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "the timeout was not applied");
        Assert.Equal(ErrorCodes.ModelUnavailable, ModelFailure.Classify(ex).Code);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("ollama")]
    public async Task A_stream_that_keeps_flowing_outlives_the_request_timeout(string provider)
    {
        // The timeout bounds the wait for an answer, not the length of a streamed answer.
        using var host = new ModelTestHost(("Models:RequestTimeoutSeconds", "2"));
        var client = host.Get(provider, "slow-stream", provider == "openai" ? OpenAIEndpoint : stub.BaseUrl);

        var (text, _) = await ModelTestHost.StreamAsync(client);

        Assert.Equal("Hello world", text);
    }

    [Fact]
    public async Task An_openai_stream_that_stalls_longer_than_the_request_timeout_is_model_unavailable()
    {
        // The timeout is also the longest gap between two pieces of a streamed answer.
        using var host = new ModelTestHost(("Models:RequestTimeoutSeconds", "1"));
        var client = host.Get("openai", "stalled-stream", OpenAIEndpoint);
        var received = new System.Text.StringBuilder();

        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Hi")]))
            {
                received.Append(update.Text);
            }
        });

        Assert.Equal("Hello", received.ToString());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "the stall was not cut off");
        Assert.Equal(ErrorCodes.ModelUnavailable, ModelFailure.Classify(ex).Code);
    }

    [Fact]
    public async Task Cancelling_an_openai_stream_mid_answer_stops_it_as_a_cancellation()
    {
        using var host = new ModelTestHost(("Models:RequestTimeoutSeconds", "60"));
        var client = host.Get("openai", "stalled-stream", OpenAIEndpoint);
        using var cancel = new CancellationTokenSource();

        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Hi")], cancellationToken: cancel.Token))
            {
                // The first piece is in; the model stalls and the caller gives up.
                await cancel.CancelAsync();
            }
        });

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "the cancellation did not stop the read");
    }

    // ---- Cache and construction --------------------------------------------------------------------------

    [Fact]
    public void The_same_endpoint_returns_the_same_cached_client()
    {
        using var host = new ModelTestHost();
        var first = host.Get("openai", "gpt-cache", OpenAIEndpoint);

        Assert.Same(first, host.Get("openai", "gpt-cache", OpenAIEndpoint));
        Assert.Same(first, host.Get("OpenAI", "gpt-cache", OpenAIEndpoint)); // provider names ignore case
        Assert.NotSame(first, host.Get("openai", "gpt-other", OpenAIEndpoint));
        Assert.NotSame(first, host.Get("openai", "gpt-cache", stub.BaseUrl + "/v2"));
        Assert.NotSame(first, host.Get("openai-compatible", "gpt-cache", OpenAIEndpoint));
        Assert.Same(host.Get("ollama", "llama", null), host.Get("ollama", "llama", null));
        Assert.Same(host.Get("anthropic", "claude", null), host.Get("ANTHROPIC", "claude", null));
    }

    [Fact]
    public async Task Concurrent_first_use_builds_one_client()
    {
        using var host = new ModelTestHost();
        var clients = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => host.Get("anthropic", "claude-race", stub.BaseUrl))));

        Assert.All(clients, c => Assert.Same(clients[0], c));
    }

    [Fact]
    public void The_factory_is_a_singleton()
    {
        using var host = new ModelTestHost();
        Assert.Same(host.Factory, host.Services.GetRequiredService<ChatClientFactory>());
    }

    [Theory]
    [InlineData("mistral", "m", null)]
    [InlineData("openai", "", null)]
    [InlineData("openai", "gpt", "not a url")]
    [InlineData("openai", "gpt", "ftp://example.org/v1")]
    [InlineData("openai-compatible", "local", null)] // needs an endpoint from the agent or the configuration
    public void Invalid_models_are_refused_and_not_cached(string provider, string model, string? endpoint)
    {
        using var host = new ModelTestHost();
        Assert.Throws<ArgumentException>(() => host.Get(provider, model, endpoint));
        Assert.Throws<ArgumentException>(() => host.Get(provider, model, endpoint));
    }

    [Fact]
    public void A_disposed_factory_refuses_work()
    {
        var host = new ModelTestHost();
        host.Get("ollama", "llama", stub.BaseUrl);
        host.Dispose();
        Assert.Throws<ObjectDisposedException>(() => host.Factory.Get(new ModelEndpoint("ollama", "llama", stub.BaseUrl)));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
