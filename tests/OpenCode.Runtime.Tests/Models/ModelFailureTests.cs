using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Sockets;
using Anthropic.Exceptions;
using OllamaSharp.Models.Exceptions;
using OpenCode.Abstractions;
using OpenCode.Runtime.Models;

namespace OpenCode.Runtime.Tests.Models;

public sealed class ModelFailureTests
{
    [Fact]
    public void A_connection_failure_is_model_unavailable()
    {
        var ex = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:9)", new SocketException((int)SocketError.ConnectionRefused));

        var error = ModelFailure.Classify(ex);

        Assert.Equal(ErrorCodes.ModelUnavailable, error.Code);
        Assert.Contains("Connection refused", error.Message);
    }

    [Fact]
    public void A_socket_error_is_model_unavailable() =>
        Assert.Equal(ErrorCodes.ModelUnavailable, ModelFailure.Classify(new SocketException((int)SocketError.HostUnreachable)).Code);

    [Fact]
    public void A_timeout_is_model_unavailable()
    {
        Assert.Equal(ErrorCodes.ModelUnavailable, ModelFailure.Classify(new TaskCanceledException("timed out", new TimeoutException())).Code);
        Assert.Equal(ErrorCodes.ModelUnavailable, ModelFailure.Classify(new TimeoutException()).Code);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadGateway, ErrorCodes.ModelUnavailable)]
    [InlineData(HttpStatusCode.ServiceUnavailable, ErrorCodes.ModelUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout, ErrorCodes.ModelUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError, ErrorCodes.ModelError)]
    [InlineData(HttpStatusCode.NotFound, ErrorCodes.ModelError)]
    [InlineData(HttpStatusCode.Unauthorized, ErrorCodes.ModelError)]
    [InlineData(HttpStatusCode.TooManyRequests, ErrorCodes.ModelError)]
    public void An_http_status_decides(HttpStatusCode status, string expected)
    {
        var error = ModelFailure.Classify(new HttpRequestException("failed", null, status));

        Assert.Equal(expected, error.Code);
        Assert.Contains($"HTTP {(int)status}", error.Message);
    }

    [Fact]
    public void An_openai_error_answer_carries_status_and_provider_message()
    {
        var ex = new ClientResultException(new StubResponse(429, """{"error":{"message":"Rate limit reached","type":"requests"}}"""));

        var error = ModelFailure.Classify(ex);

        Assert.Equal(ErrorCodes.ModelError, error.Code);
        Assert.Contains("HTTP 429 (Too Many Requests)", error.Message);
        Assert.Contains("Rate limit reached", error.Message);
    }

    [Fact]
    public void An_openai_failure_without_a_response_is_model_unavailable()
    {
        var ex = new ClientResultException("no answer", null, new HttpRequestException("Connection refused"));
        Assert.Equal(ErrorCodes.ModelUnavailable, ModelFailure.Classify(ex).Code);
    }

    [Fact]
    public void An_anthropic_error_answer_carries_status_and_provider_message()
    {
        var ex = AnthropicExceptionFactory.CreateApiException(
            HttpStatusCode.BadRequest, """{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: too large"}}""");

        var error = ModelFailure.Classify(ex);

        Assert.Equal(ErrorCodes.ModelError, error.Code);
        Assert.Contains("HTTP 400", error.Message);
        Assert.Contains("max_tokens: too large", error.Message);
    }

    [Fact]
    public void Anthropic_overloaded_is_model_unavailable()
    {
        var ex = AnthropicExceptionFactory.CreateApiException(
            (HttpStatusCode)529, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""");

        Assert.Equal(ErrorCodes.ModelUnavailable, ModelFailure.Classify(ex).Code);
    }

    [Fact]
    public void An_ollama_error_is_a_model_error() =>
        Assert.Equal(ErrorCodes.ModelError, ModelFailure.Classify(new ResponseError("model 'x' not found")).Code);

    [Fact]
    public void The_outermost_recognised_exception_decides_through_wrappers()
    {
        var ex = new InvalidOperationException("wrapper", new AggregateException(new HttpRequestException("failed", null, HttpStatusCode.BadRequest)));
        var error = ModelFailure.Classify(ex);

        Assert.Equal(ErrorCodes.ModelError, error.Code);
        Assert.Contains("HTTP 400", error.Message);
    }

    [Fact]
    public void Anything_else_is_a_model_error() =>
        Assert.Equal(ErrorCodes.ModelError, ModelFailure.Classify(new InvalidOperationException("odd")).Code);

    [Fact]
    public void The_endpoint_overload_names_provider_and_model()
    {
        var error = ModelFailure.Classify(new TimeoutException(), new ModelEndpoint("ollama", "llama3.1", "http://u:p@host:11434"));

        Assert.StartsWith("ollama model 'llama3.1': ", error.Message);
        Assert.DoesNotContain("u:p", error.Message);
    }

    [Theory]
    [InlineData("Incorrect API key provided: sk-proj-abcdefghijklmnop1234.", "sk-proj-abcdefghijklmnop1234")]
    [InlineData("invalid x-api-key: sk-ant-api03-abcdefghijkl", "abcdefghijkl")]
    [InlineData("header Authorization: Bearer abcdef0123456789", "abcdef0123456789")]
    [InlineData("GET https://user:hunter2secret@example.org/v1 failed", "hunter2secret")]
    [InlineData("url ?api_key=abcdef0123456789 rejected", "abcdef0123456789")]
    [InlineData("url ?key=AIzaSyabcdef0123456789 rejected", "AIzaSyabcdef0123456789")]
    public void Messages_never_carry_credentials(string providerText, string secret)
    {
        var error = ModelFailure.Classify(new HttpRequestException(HttpRequestError.Unknown, providerText));

        Assert.DoesNotContain(secret, error.Message);
        Assert.Contains("***", error.Message);
    }

    [Theory]
    [InlineData("Authorization failed for this organization")]
    [InlineData("The token limit of 4096 was exceeded by max_tokens")]
    [InlineData("model 'llama3.1' not found, try pulling it first")]
    public void Ordinary_provider_messages_are_left_alone(string providerText) =>
        Assert.Contains(providerText, ModelFailure.Classify(new HttpRequestException(HttpRequestError.Unknown, providerText)).Message);

    [Theory]
    [InlineData("""{"error":{"message":"nested"}}""", "nested")]
    [InlineData("""{"error":"flat"}""", "flat")]
    [InlineData("""{"message":"top"}""", "top")]
    [InlineData("plain text", "plain text")]
    [InlineData("<html><body>502</body></html>", null)]
    [InlineData("", null)]
    public void Provider_messages_are_read_from_common_error_bodies(string body, string? expected) =>
        Assert.Equal(expected, ModelFailure.ProviderMessage(body));

    private sealed class StubResponse(int status, string body) : PipelineResponse
    {
        private readonly BinaryData _content = BinaryData.FromString(body);

        public override int Status => status;
        public override string ReasonPhrase => "";
        public override Stream? ContentStream { get => _content.ToStream(); set { } }
        public override BinaryData Content => _content;
        protected override PipelineResponseHeaders HeadersCore => throw new NotSupportedException();
        public override BinaryData BufferContent(CancellationToken cancellationToken = default) => _content;
        public override ValueTask<BinaryData> BufferContentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_content);
        public override void Dispose() { }
    }
}
