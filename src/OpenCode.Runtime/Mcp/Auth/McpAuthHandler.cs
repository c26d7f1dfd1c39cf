using System.Net;

namespace OpenCode.Runtime.Mcp.Auth;

/// <summary>
/// Authenticates every HTTP request of an MCP session (Streamable HTTP posts, SSE streams): sets the credentials'
/// header, and when the server answers 401 and the credentials can be renewed (OAuth 2.0), renews them and sends
/// the request once more. Only the configured credentials are sent; nothing of the end user's request reaches here.
/// </summary>
internal sealed class McpAuthHandler(McpCredentials credentials, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var header = await credentials.GetHeaderAsync(cancellationToken).ConfigureAwait(false);
        Apply(request, header);
        if (request.Content is not null)
        {
            // Buffered, so the body can be sent a second time after a 401.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !await credentials.RenewAsync(header, cancellationToken).ConfigureAwait(false))
        {
            return response;
        }

        response.Dispose();
        Apply(request, await credentials.GetHeaderAsync(cancellationToken).ConfigureAwait(false));
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static void Apply(HttpRequestMessage request, AuthHeader header)
    {
        request.Headers.Remove(header.Name);
        request.Headers.TryAddWithoutValidation(header.Name, header.Value);
    }
}
