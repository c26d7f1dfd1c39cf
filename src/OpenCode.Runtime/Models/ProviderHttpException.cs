using System.Net;

namespace OpenCode.Runtime.Models;

/// <summary>A provider answered an HTTP error; carries the provider's own error text when it sent one.</summary>
internal sealed class ProviderHttpException(int status, string? providerMessage)
    : HttpRequestException($"Response status code does not indicate success: {status}.", null, (HttpStatusCode)status)
{
    public string? ProviderMessage { get; } = providerMessage;
}
