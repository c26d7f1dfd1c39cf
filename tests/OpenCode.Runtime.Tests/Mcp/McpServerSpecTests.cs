using OpenCode.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace OpenCode.Runtime.Tests.Mcp;

[Collection(McpClusterCollection.Name)]
public sealed class McpServerSpecTests(McpCluster mcp)
{
    private static McpServerSpec Sample() => new(
        "files", McpTransport.Stdio, "node", ["server.js", "--root", "/tmp"],
        new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" }, null, 30);

    [Fact]
    public void Key_is_the_safe_name_and_16_hex_digits_and_the_same_for_equal_content()
    {
        var key = Sample().Key;

        Assert.Matches("^files-[0-9a-f]{16}$", key);
        var sameContent = new McpServerSpec(
            "files", McpTransport.Stdio, "node", new List<string> { "server.js", "--root", "/tmp" },
            new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" }, null, 30);
        Assert.Equal(key, sameContent.Key);
        Assert.Equal(Sample(), sameContent);
        Assert.Equal(Sample().GetHashCode(), sameContent.GetHashCode());
    }

    [Fact]
    public void Every_field_changes_the_key()
    {
        var spec = Sample();
        McpServerSpec[] variants =
        [
            spec with { Name = "files2" },
            spec with { Transport = McpTransport.StreamableHttp },
            spec with { Command = "nodejs" },
            spec with { Args = ["server.js", "--root"] },
            spec with { Args = ["server.js", "--root /tmp"] },
            spec with { Env = new Dictionary<string, string> { ["A"] = "1", ["B"] = "3" } },
            spec with { Url = "http://localhost" },
            spec with { CallTimeoutSeconds = 31 },
            spec with { Transport = McpTransport.WebSocket },
            spec with { Auth = new McpAuthConfig { Type = "bearer", TokenRef = "a" } },
            spec with { Auth = new McpAuthConfig { Type = "bearer", TokenRef = "b" } },
            spec with { Auth = new McpAuthConfig { Type = "api_key", KeyRef = "a" } },
            spec with { Auth = new McpAuthConfig { Type = "api_key", KeyRef = "a", Header = "X-Key" } },
            spec with { Auth = OAuth2(["x y"]) },
            spec with { Auth = OAuth2(["x", "y"]) },
            spec with { Auth = OAuth2([]) },
            spec with { Auth = OAuth2(null) },
        ];

        Assert.Equal(variants.Length + 1, variants.Select(v => v.Key).Append(spec.Key).Distinct().Count());
        Assert.All(variants, v => Assert.NotEqual(spec, v));
    }

    [Fact]
    public void A_name_with_unsafe_characters_gives_a_safe_key()
    {
        var spec = McpServerSpec.Http("my server/ä", "http://localhost:1/mcp");

        Assert.Matches("^my_server__-[0-9a-f]{16}$", spec.Key);
    }

    [Fact]
    public void ToString_shows_the_names_of_the_variables_but_never_their_values()
    {
        var spec = McpServerSpec.Stdio("files", "node", ["server.js"], new Dictionary<string, string> { ["API_KEY"] = "s3cr3t-value" });

        var text = spec.ToString();

        Assert.Contains("API_KEY", text);
        Assert.Contains("server.js", text);
        Assert.DoesNotContain("s3cr3t-value", text);
    }

    [Fact]
    public void ToString_shows_the_auth_type_and_the_names_of_its_secrets()
    {
        var spec = McpServerSpec.WebSocket("remote", "wss://example.org/mcp", auth: OAuth2(["read", "call"]));

        Assert.Contains("Transport = WebSocket", spec.ToString());
        Assert.Contains("Auth = oauth2 tokenUrl=https://login.example.org/token clientId=gateway clientSecretRef=remote-secret scopes=read call", spec.ToString());
    }

    [Fact]
    public void Round_trips_through_the_Orleans_serializer_with_the_same_key()
    {
        var serializer = mcp.Cluster.ServiceProvider.GetRequiredService<Serializer>();
        var spec = Sample();
        _ = spec.Key; // cached on the original; must not be needed (or carried) by the copy

        var copy = serializer.Deserialize<McpServerSpec>(serializer.SerializeToArray(spec));

        Assert.NotNull(copy);
        Assert.NotSame(spec, copy);
        Assert.Equal(spec.Key, copy.Key);
        Assert.Equal(["server.js", "--root", "/tmp"], copy.Args);
        Assert.Equal("2", copy.Env["B"]);
        Assert.Equal(30, copy.CallTimeoutSeconds);
    }

    [Fact]
    public void Round_trips_its_auth_through_the_Orleans_serializer()
    {
        var serializer = mcp.Cluster.ServiceProvider.GetRequiredService<Serializer>();
        var spec = McpServerSpec.WebSocket("remote", "wss://example.org/mcp", auth: OAuth2(["read", "call"]));

        var copy = serializer.Deserialize<McpServerSpec>(serializer.SerializeToArray(spec));

        Assert.NotNull(copy);
        Assert.Equal(spec.Key, copy.Key);
        Assert.Equal(McpTransport.WebSocket, copy.Transport);
        Assert.Equal(["read", "call"], copy.Auth!.Scopes);
        Assert.Equal("remote-secret", copy.Auth.ClientSecretRef);
    }

    private static McpAuthConfig OAuth2(IReadOnlyList<string>? scopes) => new()
    {
        Type = "oauth2",
        TokenUrl = "https://login.example.org/token",
        ClientId = "gateway",
        ClientSecretRef = "remote-secret",
        Scopes = scopes,
    };

    [Fact]
    public void The_unavailable_exception_round_trips_with_its_server_and_code()
    {
        var serializer = mcp.Cluster.ServiceProvider.GetRequiredService<Serializer>();

        var copy = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(
            new McpServerUnavailableException("files", "MCP server 'files' is unavailable: refused")));

        var unavailable = Assert.IsType<McpServerUnavailableException>(copy);
        Assert.Equal("files", unavailable.Server);
        Assert.Equal(McpServerUnavailableException.ErrorCode, unavailable.Code);
        Assert.Equal("MCP server 'files' is unavailable: refused", unavailable.Message);
    }
}
