namespace OpenCode.Gateway.Tests.Limits;

/// <summary>A gateway where a user runs one turn at a time and a message has at most <see cref="MaxMessageChars"/> characters.</summary>
public sealed class TurnLimitedGateway() : LimitedGatewayFixture(new Dictionary<string, string?>
{
    ["Limits__MaxConcurrentTurnsPerUser"] = "1",
    ["Limits__MaxMessageChars"] = MaxMessageChars.ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    public const int MaxMessageChars = 1000;
}
