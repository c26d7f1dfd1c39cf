using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OpenCode.Abstractions;
using OpenCode.Gateway.Limits;
using OpenCode.Gateway.Security;
using OpenCode.Runtime.Limits;

namespace OpenCode.Gateway.Tests.Limits;

/// <summary>The request rate's buckets and the authenticated defaults, as units.</summary>
public sealed class RequestLimitsTests
{
    [Fact]
    public void A_callers_bucket_is_its_users_whatever_key_it_presented()
    {
        var alice = new CallerIdentity("acme", "alice", [], ApiKeyId: null, ExpiresAt: null, ApiKeyHash: null);

        Assert.Equal(new RequestBucket("acme", "alice"), RequestBucket.Of(alice));
        Assert.Equal(RequestBucket.Of(alice), RequestBucket.Of(alice with { ApiKeyId = "key-1" }));
        Assert.Equal(RequestBucket.Of(alice with { ApiKeyId = "key-1" }), RequestBucket.Of(alice with { ApiKeyId = "key-2" }));
        Assert.NotEqual(RequestBucket.Of(alice), RequestBucket.Of(alice with { User = "bob" }));
        Assert.NotEqual(RequestBucket.Of(alice), RequestBucket.Of(alice with { Tenant = "other" }));
        Assert.NotEqual(new RequestBucket(null, "alice"), RequestBucket.Of(alice));
    }

    [Fact]
    public void Each_user_has_its_own_rate_shared_by_its_keys_and_is_refused_once_it_is_used_up()
    {
        using var limits = new RequestLimits(Options.Create(new LimitsOptions { RequestsPerMinute = 3 }));
        var alice = new CallerIdentity("acme", "alice", [], ApiKeyId: null, ExpiresAt: null, ApiKeyHash: null);
        var bob = new CallerIdentity("acme", "bob", [], ApiKeyId: null, ExpiresAt: null, ApiKeyHash: null);

        limits.TakeRequest(alice with { ApiKeyId = "key-1" });
        limits.TakeRequest(alice with { ApiKeyId = "key-2" });
        limits.TakeRequest(alice);

        var refused = Assert.Throws<OpenCodeException>(() => limits.TakeRequest(alice with { ApiKeyId = "key-3" }));
        Assert.Equal(ErrorCodes.RateLimited, refused.Code);
        Assert.Contains("try again in 20 s", refused.Message);
        Assert.Throws<OpenCodeException>(() => limits.TakeRequest(alice with { ApiKeyId = "key-1" }));
        limits.TakeRequest(bob);
        limits.TakeRequest(bob with { ApiKeyId = "key-4" });
    }

    [Fact]
    public void Without_a_rate_nothing_is_counted()
    {
        using var limits = new RequestLimits(Options.Create(new LimitsOptions()));

        for (var i = 0; i < 1000; i++)
        {
            limits.TakeRequest(Callers.Local);
        }

        Assert.False(limits.LimitsRate);
    }

    [Fact]
    public void The_authenticated_defaults_apply_under_what_is_configured()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Limits:RequestsPerMinute"] = "0" })
            .AddAuthenticatedLimitDefaults()
            .Build();

        var limits = configuration.GetSection(LimitsOptions.Section).Get<LimitsOptions>()!;

        Assert.Equal(0, limits.RequestsPerMinute);
        Assert.Equal(4, limits.MaxConcurrentTurnsPerUser);
        Assert.Equal(10_000_000, limits.TenantTokensPerDay);
        Assert.Equal(LimitsOptions.DefaultMaxMessageChars, limits.MaxMessageChars);
    }
}
