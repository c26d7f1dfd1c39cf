namespace OpenCode.Gateway.Tests.Limits;

/// <summary>A gateway that takes <see cref="RequestsPerMinute"/> requests a minute from a caller: a token every 3 s after the burst.</summary>
public sealed class RateLimitedGateway() : LimitedGatewayFixture(new Dictionary<string, string?>
{
    ["Limits__RequestsPerMinute"] = RequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    public const int RequestsPerMinute = 20;
}
