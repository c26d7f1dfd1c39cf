namespace OpenCode.Gateway.Tests.Limits;

/// <summary>A gateway whose (one, local) tenant may use <see cref="TokensPerDay"/> tokens a day.</summary>
public sealed class BudgetLimitedGateway() : LimitedGatewayFixture(new Dictionary<string, string?>
{
    ["Limits__TenantTokensPerDay"] = TokensPerDay.ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    public const int TokensPerDay = 100;
}
