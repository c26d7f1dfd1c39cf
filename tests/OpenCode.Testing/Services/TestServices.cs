namespace OpenCode.Testing;

/// <summary>
/// The PostgreSQL server and Redis the cluster-profile tests use: <c>ConnectionStrings__Postgres</c> and
/// <c>ConnectionStrings__Redis</c>, which tests/run.sh sets (starting both when they are not given).
/// </summary>
public static class TestServices
{
    public const string PostgresVariable = "ConnectionStrings__Postgres";
    public const string RedisVariable = "ConnectionStrings__Redis";

    /// <summary>The server's connection string; the role must be allowed to create databases.</summary>
    public static string PostgresConnectionString => Required(PostgresVariable);

    public static string RedisConnectionString => Required(RedisVariable);

    // Missing services fail the test: tests/run.sh always provides them, so a skip would hide a broken run.
    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set. Run the tests through tests/run.sh, which starts PostgreSQL and Redis for them, or set it yourself.");
}
