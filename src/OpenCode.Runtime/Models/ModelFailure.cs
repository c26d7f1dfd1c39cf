using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Anthropic.Exceptions;
using Microsoft.AspNetCore.WebUtilities;
using OllamaSharp.Models.Exceptions;
using OpenCode.Abstractions;

namespace OpenCode.Runtime.Models;

/// <summary>
/// Turns an exception from a model call into the API's error: <c>model_unavailable</c> when the provider could
/// not be reached or cannot answer right now (connection failures, timeouts, 502/503/504, Anthropic's 529
/// "overloaded"), <c>model_error</c> when it answered with an error (other 4xx/5xx, an error event in the
/// stream, an unreadable answer). The message names the HTTP status and the provider's own error message
/// when there is one, and is scrubbed of anything that looks like a credential.
/// </summary>
/// <remarks>
/// Check your own cancellation token before classifying: an <see cref="OperationCanceledException"/> that
/// reaches <see cref="Classify(Exception)"/> is taken for a timeout.
/// </remarks>
public static partial class ModelFailure
{
    private const int MaxProviderMessageLength = 500;

    public static ModelError Classify(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var error = ClassifyCore(ex) ?? new ModelError(ErrorCodes.ModelError, $"The model call failed: {Describe(ex)}");
        return error with { Message = Redact(error.Message) };
    }

    /// <summary>As <see cref="Classify(Exception)"/>, with the message prefixed by the provider and model.</summary>
    public static ModelError Classify(Exception ex, ModelEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var error = Classify(ex);
        return error with { Message = Redact($"{endpoint.Provider} model '{endpoint.Name}': {error.Message}") };
    }

    private static ModelError? ClassifyCore(Exception ex)
    {
        // The outermost exception that we recognise decides; SDKs and middleware wrap the interesting one.
        for (var current = ex; current is not null; current = Unwrap(current))
        {
            var error = current switch
            {
                AnthropicApiException api => FromStatus((int)api.StatusCode, api.ApiMessage ?? ProviderMessage(api.ResponseBody)),
                AnthropicSseException sse => FromStreamError(StreamErrorType(sse), sse.ApiMessage ?? sse.Message),
                AnthropicIOException io => Unreachable(io.InnerException ?? (Exception)io),
                AnthropicInvalidDataException invalid => new ModelError(ErrorCodes.ModelError, $"The model provider sent an answer that could not be read: {invalid.Message}"),
                ClientResultException result when result.Status > 0 => FromStatus(result.Status, ProviderMessage(result) ?? result.Message),
                ClientResultException => null, // no response at all: the inner exception says why
                OllamaException ollama => new ModelError(ErrorCodes.ModelError, $"The model provider answered with an error: {Truncate(ollama.Message)}"),
                ProviderHttpException provider => FromStatus((int)provider.StatusCode!.Value, provider.ProviderMessage),
                HttpRequestException { StatusCode: { } status } => FromStatus((int)status, null),
                HttpRequestException http => Unreachable(http),
                SocketException socket => Unreachable(socket),
                TimeoutException => Timeout(),
                OperationCanceledException => Timeout(),
                IOException io => Unreachable(io),
                JsonException json => new ModelError(ErrorCodes.ModelError, $"The model provider sent an answer that could not be read: {json.Message}"),
                _ => null,
            };
            if (error is not null)
                return error;
        }
        return null;
    }

    private static Exception? Unwrap(Exception ex) =>
        ex is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : ex.InnerException;

    private static ModelError FromStatus(int status, string? providerMessage)
    {
        var code = IsUnavailableStatus(status) ? ErrorCodes.ModelUnavailable : ErrorCodes.ModelError;
        var reason = ReasonPhrases.GetReasonPhrase(status);
        if (string.IsNullOrEmpty(reason) && status == 529)
            reason = "Overloaded";
        var statusText = string.IsNullOrEmpty(reason) ? $"HTTP {status}" : $"HTTP {status} ({reason})";
        var message = string.IsNullOrWhiteSpace(providerMessage)
            ? $"The model provider answered {statusText}."
            : $"The model provider answered {statusText}: {Truncate(providerMessage)}";
        return new ModelError(code, message);
    }

    private static bool IsUnavailableStatus(int status) =>
        status is (int)HttpStatusCode.BadGateway or (int)HttpStatusCode.ServiceUnavailable or (int)HttpStatusCode.GatewayTimeout or 529;

    /// <summary>An <c>error</c> event in the middle of a stream: the provider answered, unless it says it is overloaded.</summary>
    private static ModelError FromStreamError(string? type, string message)
    {
        var code = string.Equals(type, "overloaded_error", StringComparison.OrdinalIgnoreCase)
            ? ErrorCodes.ModelUnavailable
            : ErrorCodes.ModelError;
        return new ModelError(code, $"The model provider reported an error in its stream: {Truncate(message)}");
    }

    private static string? StreamErrorType(AnthropicSseException ex)
    {
        try
        {
            return ex.Type?.Raw();
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException or AnthropicException)
        {
            return null;
        }
    }

    private static ModelError Unreachable(Exception ex) =>
        new(ErrorCodes.ModelUnavailable, $"The model provider could not be reached: {Describe(ex)}");

    private static ModelError Timeout() =>
        new(ErrorCodes.ModelUnavailable, "The model provider did not answer in time.");

    /// <summary>The innermost useful message: socket and HTTP errors say more than their wrappers.</summary>
    private static string Describe(Exception ex)
    {
        var message = ex.Message;
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException or HttpRequestException or IOException && !string.IsNullOrWhiteSpace(inner.Message))
                message = inner.Message;
        }
        return Truncate(message);
    }

    private static string? ProviderMessage(ClientResultException ex)
    {
        try
        {
            var content = ex.GetRawResponse()?.Content;
            return content is null ? null : ProviderMessage(content.ToString());
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or NotSupportedException)
        {
            return null; // the response body was streamed and is gone
        }
    }

    /// <summary>
    /// The error text of a JSON error body: <c>{"error":{"message":…}}</c> (OpenAI, Anthropic),
    /// <c>{"error":"…"}</c> (Ollama) or <c>{"message":…}</c>; otherwise the body itself, when short.
    /// </summary>
    internal static string? ProviderMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.String)
                        return error.GetString();
                    if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var nested) && nested.ValueKind == JsonValueKind.String)
                        return nested.GetString();
                }
                if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                    return message.GetString();
                if (root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                    return detail.GetString();
            }
        }
        catch (JsonException)
        {
        }
        var trimmed = body.Trim();
        return trimmed.StartsWith('<') ? null : Truncate(trimmed); // skip HTML error pages
    }

    private static string Truncate(string text) =>
        text.Length <= MaxProviderMessageLength ? text : string.Concat(text.AsSpan(0, MaxProviderMessageLength), "…");

    /// <summary>Masks anything that looks like a secret: provider keys, bearer tokens, key parameters, URL user info.</summary>
    internal static string Redact(string message)
    {
        message = KeyLike().Replace(message, "$1***");
        message = BearerToken().Replace(message, "$1 ***");
        message = SecretAssignment().Replace(message, "$1$2***");
        message = UrlUserInfo().Replace(message, "$1***@");
        return message;
    }

    [GeneratedRegex(@"\b(sk-(?:ant-|proj-)?)[A-Za-z0-9_\-]{6,}")]
    private static partial Regex KeyLike();

    [GeneratedRegex(@"(?i)\b(bearer)\s+(?![^\s]*\*\*\*)[A-Za-z0-9_\-\.~+/=]{6,}")]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"(?i)\b(api[_-]?key|x-api-key|authorization|access[_-]?token|auth[_-]?token|token|secret|password|key(?==))(\s*[:=]\s*)(?![^\s]*\*\*\*)[A-Za-z0-9_\-\.~+/=]{6,}")]
    private static partial Regex SecretAssignment();

    [GeneratedRegex(@"(\b[a-z][a-z0-9+\-.]*://)[^/\s@]+@", RegexOptions.IgnoreCase)]
    private static partial Regex UrlUserInfo();
}
