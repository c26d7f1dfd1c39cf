using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Security;

/// <summary><c>Auth:Jwt:Authority</c>: the gateway finds the issuer's signing keys through OIDC discovery.</summary>
public sealed class OidcAuthorityTests : IAsyncLifetime
{
    private const string Audience = "opencode-oidc";
    private OidcProviderServer _issuer = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        _issuer = await OidcProviderServer.StartAsync();
        _gateway = await GatewayProcess.StartAsync(environment: new Dictionary<string, string?>
        {
            ["Auth__Jwt__Authority"] = _issuer.Issuer,
            ["Auth__Jwt__Issuer"] = _issuer.Issuer,
            ["Auth__Jwt__Audience"] = Audience,
            // The test issuer speaks plain HTTP on loopback; a real one is HTTPS, which is the default requirement.
            ["Auth__Jwt__RequireHttpsMetadata"] = "false",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public async Task A_token_signed_with_the_issuers_published_key_is_accepted_and_others_are_not()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(_issuer.Token("olivia", "acme", ["developer"], Audience)));

        using var stranger = RSA.Create(2048);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(_issuer.Token("olivia", "acme", ["admin"], Audience, stranger)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(_issuer.Token("olivia", "acme", ["admin"], "another-api")));

        // Algorithm confusion: an HS256 token "signed" with the issuer's published public key as the shared secret.
        var publicKey = Encoding.UTF8.GetBytes(_issuer.PublicKeyPem);
        var confused = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _issuer.Issuer,
            Audience = Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "mallory", ["roles"] = new[] { "admin" } },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(publicKey), SecurityAlgorithms.HmacSha256),
        });
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(confused));
    }

    private async Task<HttpStatusCode> StatusAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/agents");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await _gateway.Client.SendAsync(request)).StatusCode;
    }
}
