using OpenCode.Abstractions;
using OpenCode.Runtime.Models;

namespace OpenCode.Runtime.Tests.Models;

public sealed class ModelProvidersTests
{
    [Theory]
    [InlineData("openai")]
    [InlineData("OpenAI")]
    [InlineData("openai-compatible")]
    [InlineData("anthropic")]
    [InlineData("Ollama")]
    public void Known_providers_are_recognised_in_any_case(string provider)
    {
        Assert.True(ModelProviders.IsKnown(provider));
        Assert.Contains(provider, ModelProviders.Known);
    }

    [Theory]
    [InlineData("")]
    [InlineData("azure")]
    [InlineData("openai ")]
    [InlineData(null)]
    public void Others_are_not(string? provider) => Assert.False(ModelProviders.IsKnown(provider));

    [Fact]
    public void There_are_four() => Assert.Equal(4, ModelProviders.Known.Count);

    [Fact]
    public void An_endpoint_comes_from_a_model_config()
    {
        Assert.Equal(new ModelEndpoint("ollama", "llama3.1", null), ModelEndpoint.From(new ModelConfig { Provider = "ollama", Name = "llama3.1", Endpoint = " " }));
        Assert.Equal("openai/gpt-4o-mini", ModelEndpoint.From(new ModelConfig { Provider = "openai", Name = "gpt-4o-mini", Endpoint = "http://x" }).ToString());
    }

    [Theory]
    [InlineData("0.0.0.0", "http://127.0.0.1:11434/")]
    [InlineData("127.0.0.1:8080", "http://127.0.0.1:8080/")]
    [InlineData("ollama.internal", "http://ollama.internal:11434/")]
    [InlineData("https://ollama.example.org", "https://ollama.example.org/")]
    [InlineData("http://gpu-box:11434/ollama", "http://gpu-box:11434/ollama/")]
    public void Ollama_addresses_are_read_like_OLLAMA_HOST(string value, string expected) =>
        Assert.Equal(new Uri(expected), ChatClientFactory.ParseOllamaHost(value, "test"));
}
