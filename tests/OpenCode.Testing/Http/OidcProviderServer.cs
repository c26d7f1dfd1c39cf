using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OpenCode.Testing;

/// <summary>
/// An OpenID Connect issuer on loopback: a discovery document and the JWKS of its RSA signing key, and tokens it
/// signs (RS256) — what a gateway configured with <c>Auth:Jwt:Authority</c> fetches its keys from.
/// </summary>
public sealed class OidcProviderServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);
    private readonly string _keyId = "key-" + Guid.NewGuid().ToString("N")[..8];

    private OidcProviderServer(WebApplication app) => _app = app;

    /// <summary>The public signing key as PEM: what an algorithm-confusion attacker would use as an HS256 secret.</summary>
    public string PublicKeyPem => _key.ExportSubjectPublicKeyInfoPem();

    /// <summary><c>http://127.0.0.1:PORT</c>: the issuer and authority, without a trailing slash.</summary>
    public string Issuer { get; private set; } = "";

    public static async Task<OidcProviderServer> StartAsync(CancellationToken ct = default)
    {
        var app = LoopbackHost.CreateBuilder(0).Build();
        var server = new OidcProviderServer(app);
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = server.Issuer,
            ["jwks_uri"] = server.Issuer + "/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
        }));
        app.MapGet("/jwks", () =>
        {
            var parameters = server._key.ExportParameters(includePrivateParameters: false);
            return Results.Json(new Dictionary<string, object>
            {
                ["keys"] = new[]
                {
                    new Dictionary<string, string>
                    {
                        ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = server._keyId,
                        ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                    },
                },
            });
        });
        await LoopbackHost.StartAsync(app, ct);

        server.Issuer = $"http://127.0.0.1:{LoopbackHost.BoundPort(app)}";
        return server;
    }

    /// <summary>A token signed with this issuer's key (or, to forge one, with <paramref name="otherKey"/> under the same key id).</summary>
    public string Token(string user, string tenant, string[] roles, string audience, RSA? otherKey = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", user), new Claim("tenant", tenant)]),
            Claims = new Dictionary<string, object> { ["roles"] = roles },
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(otherKey ?? _key) { KeyId = _keyId }, SecurityAlgorithms.RsaSha256),
        });

    public async ValueTask DisposeAsync()
    {
        await LoopbackHost.StopAsync(_app);
        _key.Dispose();
    }
}
