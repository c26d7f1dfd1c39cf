using OpenCode.Abstractions;
using OpenCode.Gateway.Api;

namespace OpenCode.Gateway.Streaming;

/// <summary>
/// The <c>error.code</c> numbers of WebSocket responses: JSON-RPC's own for broken frames, and for the API's errors a
/// number in JSON-RPC's server range derived from the HTTP status (<c>data.code</c> keeps the API's string code).
/// </summary>
public static class JsonRpcErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    /// <summary>
    /// validation_failed is invalid params; other 4xx codes are -32000 minus the status's last two digits
    /// (404 → -32004, 409 → -32009, 422 → -32022), 5xx codes -32050 minus them (502 → -32052, 503 → -32053).
    /// </summary>
    public static int For(string apiCode)
    {
        if (apiCode == ErrorCodes.ValidationFailed)
        {
            return InvalidParams;
        }

        var status = Problems.StatusFor(apiCode);
        return status switch
        {
            StatusCodes.Status500InternalServerError => InternalError,
            >= 500 => -32050 - (status % 100),
            _ => -32000 - (status % 100),
        };
    }
}
