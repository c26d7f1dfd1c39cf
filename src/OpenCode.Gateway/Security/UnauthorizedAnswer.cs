using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api;

namespace OpenCode.Gateway.Security;

/// <summary>The 401 problem: why the credentials were refused, without echoing anything a token carried.</summary>
public static class UnauthorizedAnswer
{
    public static async Task WriteAsync(HttpContext context)
    {
        // The middleware keeps only a successful result; asking again returns the handler's cached failure.
        var failure = (await context.AuthenticateAsync()).Failure;
        context.Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await Problems.For(ErrorCodes.Unauthorized, Describe(failure)).ExecuteAsync(context);
    }

    public static string Describe(Exception? failure) => failure switch
    {
        null => "This endpoint needs credentials: an API key (X-API-Key or Authorization: Bearer) or a bearer token.",
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenInvalidAudienceException => "The token was issued for another audience.",
        SecurityTokenInvalidIssuerException => "The token was issued by an issuer this server does not trust.",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "The token's signature is not valid.",
        SecurityTokenInvalidAlgorithmException => "The token's signing algorithm is not accepted.",
        AuthenticationFailureException => failure.Message, // the handlers' own messages, which carry nothing from the request
        _ => "The credentials were not accepted.",
    };
}
