using System.Net;
using Microsoft.Extensions.Configuration;
using OpenCode.Runtime.Security;

namespace OpenCode.Runtime.Tests.Security;

/// <summary>How URLs are normalized and matched against <c>Security:AllowedEndpoints</c>, and which commands are allowed.</summary>
public sealed class EndpointPolicyTests
{
    [Theory]
    [InlineData("HTTP://LOCALHOST:80/", "http://localhost:80/")]
    [InlineData("http://allowed@evil/", "http://evil:80/")]
    [InlineData("http://2130706433/", "http://127.0.0.1:80/")]
    [InlineData("http://0x7f.1/", "http://127.0.0.1:80/")]
    [InlineData("http://0177.0.0.1/", "http://127.0.0.1:80/")]
    [InlineData("http://[::ffff:127.0.0.1]:8080/v1", "http://127.0.0.1:8080/v1")]
    [InlineData("http://[::ffff:a9fe:a9fe]/", "http://169.254.169.254:80/")]
    [InlineData("http://localhost./x", "http://localhost:80/x")]
    [InlineData("http://127.0.0.1./", "http://127.0.0.1:80/")]
    [InlineData("https://API.Example.ORG/v1/../admin?x=1", "https://api.example.org:443/admin")]
    [InlineData("ws://[::1]:3000/mcp", "ws://[::1]:3000/mcp")]
    [InlineData("http://bücher.example/", "http://xn--bcher-kva.example:80/")]
    public void Urls_are_compared_in_one_spelling(string url, string normalized) =>
        Assert.Equal(normalized, NormalizedUrl.Parse(url)?.ToString());

    [Theory]
    [InlineData("http://127.0.0.1:6556/v1")]
    [InlineData("http://localhost:8000/")]
    [InlineData("ws://localhost:3000/filesystem")]
    [InlineData("http://[::1]:8080/mcp")]
    [InlineData("http://0x7f.1:9000/")]
    [InlineData("https://api.openai.com/v1")]
    [InlineData("https://api.anthropic.com")]
    public void Without_authentication_loopback_and_the_public_provider_endpoints_are_allowed(string url) =>
        Assert.Null(TestEndpointPolicies.Create().RefusalFor(url));

    [Theory]
    [InlineData("https://example.org/mcp")]
    [InlineData("http://10.0.0.5:8080/v1")]
    [InlineData("http://api.openai.com/v1")] // not the https origin
    public void Without_authentication_other_hosts_need_an_entry(string url)
    {
        Assert.Contains("Security:AllowedEndpoints", TestEndpointPolicies.Create().RefusalFor(url));
        Assert.Null(TestEndpointPolicies.Create(endpoints: [url]).RefusalFor(url));
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest")]
    [InlineData("http://169.254.169.254.:80/latest")]
    [InlineData("http://2852039166/")] // 169.254.169.254 as one number
    [InlineData("http://[::ffff:169.254.169.254]/")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/")]
    [InlineData("http://[fd00:ec2::254]/latest")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://100.100.100.200/latest")]
    [InlineData("http://0.0.0.0:8000/")]
    [InlineData("http://0/")]
    [InlineData("http://[::]:8000/")]
    public void Metadata_link_local_and_unspecified_addresses_are_refused_in_both_modes_even_by_wildcards(string url)
    {
        Assert.Contains("link-local", TestEndpointPolicies.Create(endpoints: ["http://*:*"]).RefusalFor(url));
        Assert.Contains("link-local", TestEndpointPolicies.Create(authenticated: true, endpoints: ["http://*:*", "*://*"]).RefusalFor(url));
    }

    [Fact]
    public void A_metadata_address_is_allowed_by_an_entry_naming_it()
    {
        var policy = TestEndpointPolicies.Create(authenticated: true, endpoints: ["http://169.254.169.254/latest/**"]);

        Assert.Null(policy.RefusalFor("http://169.254.169.254/latest/meta-data"));
        Assert.NotNull(policy.RefusalFor("http://169.254.169.254/other"));
    }

    [Theory]
    [InlineData("http://localhost:8000/admin")]
    [InlineData("HTTP://LOCALHOST:8000/admin")]
    [InlineData("http://localhost.:8000/admin")]
    [InlineData("http://app.localhost:8000/admin")]
    [InlineData("http://127.0.0.1:8000/admin")]
    [InlineData("http://2130706433:8000/admin")]
    [InlineData("http://0x7f.1:8000/admin")]
    [InlineData("http://[::ffff:127.0.0.1]:8000/admin")]
    [InlineData("http://[::1]:8000/admin")]
    public void With_authentication_loopback_needs_an_entry_naming_the_host(string url)
    {
        Assert.Contains("on this machine", TestEndpointPolicies.Create(authenticated: true).RefusalFor(url));
        Assert.Contains("on this machine", TestEndpointPolicies.Create(authenticated: true, endpoints: ["http://*:*", "http://*.*.*.*:*"]).RefusalFor(url));
    }

    [Fact]
    public void With_authentication_a_named_loopback_entry_allows_its_ports_only()
    {
        var policy = TestEndpointPolicies.Create(authenticated: true, endpoints: ["http://127.0.0.1:6556", "http://localhost:*"]);

        Assert.Null(policy.RefusalFor("http://127.0.0.1:6556/v1"));
        Assert.Null(policy.RefusalFor("http://[::ffff:127.0.0.1]:6556/v1"));
        Assert.Null(policy.RefusalFor("http://0x7f.1:6556/v1"));
        Assert.Null(policy.RefusalFor("http://LOCALHOST.:1234/"));
        Assert.NotNull(policy.RefusalFor("http://127.0.0.1:8000/admin"));
        Assert.NotNull(policy.RefusalFor("https://127.0.0.1:6556/v1"));
    }

    [Fact]
    public void Host_globs_match_the_host_only_and_user_info_does_not_count()
    {
        var policy = TestEndpointPolicies.Create(authenticated: true, endpoints: ["https://*.example.org", "http://allowed:*"]);

        Assert.Null(policy.RefusalFor("https://mcp.example.org/mcp"));
        Assert.Null(policy.RefusalFor("https://A.B.EXAMPLE.ORG./x"));
        Assert.NotNull(policy.RefusalFor("https://example.org.evil.net/"));
        Assert.NotNull(policy.RefusalFor("https://evil.net/.example.org"));
        Assert.NotNull(policy.RefusalFor("https://mcp.example.org:8443/")); // no port: the scheme's default only
        Assert.NotNull(policy.RefusalFor("http://mcp.example.org/"));
        Assert.Null(policy.RefusalFor("http://allowed:9000/"));
        Assert.NotNull(policy.RefusalFor("http://allowed@evil:9000/"));
        Assert.NotNull(policy.RefusalFor("http://allowed.evil:9000/"));
    }

    [Fact]
    public void A_path_in_an_entry_is_matched_after_dot_segments_are_resolved()
    {
        var policy = TestEndpointPolicies.Create(authenticated: true, endpoints: ["https://llm.example.org/v1/**"]);

        Assert.Null(policy.RefusalFor("https://llm.example.org/v1/chat/completions"));
        Assert.NotNull(policy.RefusalFor("https://llm.example.org/v2"));
        Assert.NotNull(policy.RefusalFor("https://llm.example.org/v1/../admin"));
        Assert.NotNull(policy.RefusalFor("https://llm.example.org/v1/%2e%2e/admin"));
    }

    [Fact]
    public void Configured_provider_endpoints_are_allowed_in_both_modes()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:openai-compatible:Endpoint"] = "http://10.1.2.3:8000/v1",
            ["OLLAMA_HOST"] = "gpu-box",
            ["Providers:anthropic:Endpoint"] = "http://127.0.0.1:7000",
        }).Build();

        foreach (var authenticated in new[] { false, true })
        {
            var policy = TestEndpointPolicies.Create(authenticated: authenticated, configuration: configuration);
            Assert.Null(policy.RefusalFor("http://10.1.2.3:8000/v1"));
            Assert.Null(policy.RefusalFor("http://10.1.2.3:8000/other"));
            Assert.Null(policy.RefusalFor("http://gpu-box:11434/"));
            Assert.Null(policy.RefusalFor("http://127.0.0.1:7000/v1"));
            Assert.Null(policy.RefusalFor("https://api.openai.com/v1"));
            Assert.NotNull(policy.RefusalFor("http://10.1.2.3:8001/v1"));
        }
    }

    [Theory]
    [InlineData("node")]
    [InlineData("/bin/sh")]
    [InlineData("/opt/other/node")]
    public void Without_authentication_any_command_is_allowed(string command) =>
        Assert.Null(TestEndpointPolicies.Create(commands: ["node"]).RefusalForCommand(command));

    [Theory]
    [InlineData("node", true)]
    [InlineData("/bin/sh", false)]
    [InlineData("sh", false)]
    [InlineData("/opt/other/node", false)]
    [InlineData("./node", false)]
    [InlineData("node ", false)]
    [InlineData("/usr/local/bin/mcp-git", true)]
    [InlineData("/usr/local/bin/../../../srv/mcp-x", false)]
    [InlineData("/usr/local/bin/sub/mcp-x", false)]
    public void With_authentication_only_listed_commands_are_allowed(string command, bool allowed)
    {
        var policy = TestEndpointPolicies.Create(authenticated: true, commands: ["node", "/usr/local/bin/*"]);

        Assert.Equal(allowed, policy.RefusalForCommand(command) is null);
    }

    [Fact]
    public void At_connect_time_a_name_that_resolves_to_loopback_or_metadata_is_refused_unless_named()
    {
        var open = TestEndpointPolicies.Create(authenticated: true, endpoints: ["https://*.example.org", "http://metadata.internal"]);
        var local = TestEndpointPolicies.Create(endpoints: ["https://*.example.org"]);

        Assert.True(open.AllowsConnection("https", "mcp.example.org", 443, IPAddress.Parse("93.184.216.34")));
        Assert.True(open.AllowsConnection("https", "mcp.example.org", 443, IPAddress.Parse("10.0.0.7")));
        Assert.False(open.AllowsConnection("https", "rebound.example.org", 443, IPAddress.Loopback));
        Assert.False(open.AllowsConnection("https", "rebound.example.org", 443, IPAddress.Parse("169.254.169.254")));
        Assert.False(open.AllowsConnection("https", "rebound.example.org", 443, IPAddress.Parse("::ffff:169.254.169.254")));
        Assert.True(open.AllowsConnection("http", "metadata.internal", 80, IPAddress.Parse("169.254.169.254")));
        Assert.True(local.AllowsConnection("https", "rebound.example.org", 443, IPAddress.Loopback));
        Assert.False(local.AllowsConnection("https", "rebound.example.org", 443, IPAddress.Parse("169.254.169.254")));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("http://")]
    [InlineData("http://user@host")]
    [InlineData("http://host:99999")]
    [InlineData("http://host:")]
    [InlineData("://host")]
    public void Entries_that_are_not_url_patterns_are_refused_at_start(string entry) =>
        Assert.Null(EndpointPattern.Parse(entry));
}
