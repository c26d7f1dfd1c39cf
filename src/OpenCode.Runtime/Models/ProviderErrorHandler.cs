namespace OpenCode.Runtime.Models;

/// <summary>
/// Turns an HTTP error answer into a <see cref="ProviderHttpException"/> holding the status and the provider's
/// error text, for SDKs that would otherwise lose one of them (OllamaSharp: a 400 loses the status, any other
/// error loses the body). Successful answers pass through untouched.
/// </summary>
internal sealed class ProviderErrorHandler(HttpMessageHandler innerHandler) : DelegatingHandler(innerHandler)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
            return response;

        using (response)
        {
            string? body = null;
            try
            {
                body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                // the status alone will do
            }
            throw new ProviderHttpException((int)response.StatusCode, ModelFailure.ProviderMessage(body));
        }
    }
}
