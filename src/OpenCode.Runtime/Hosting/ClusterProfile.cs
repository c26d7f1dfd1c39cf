using Microsoft.Extensions.Configuration;

namespace OpenCode.Runtime;

/// <summary>
/// The connection strings that switch a silo to the cluster profile: <c>ConnectionStrings:Postgres</c> (grain
/// state and reminders) and <c>ConnectionStrings:Redis</c> (membership).
/// </summary>
/// <remarks>A class, not a record: a generated <c>ToString</c> would print passwords into logs.</remarks>
public sealed class ClusterProfile(string postgres, string redis)
{
    public string Postgres { get; } = postgres;

    public string Redis { get; } = redis;

    /// <summary>The cluster profile when both connection strings are set; null (embedded profile) when neither is.</summary>
    /// <exception cref="InvalidOperationException">Only one is set: a half-configured cluster must not start as an embedded silo.</exception>
    public static ClusterProfile? From(IConfiguration configuration)
    {
        var postgres = configuration.GetConnectionString("Postgres");
        var redis = configuration.GetConnectionString("Redis");
        return (string.IsNullOrWhiteSpace(postgres), string.IsNullOrWhiteSpace(redis)) switch
        {
            (true, true) => null,
            (false, false) => new ClusterProfile(postgres!, redis!),
            (true, false) => throw new InvalidOperationException("ConnectionStrings:Redis is set but ConnectionStrings:Postgres is not: the cluster profile needs both."),
            (false, true) => throw new InvalidOperationException("ConnectionStrings:Postgres is set but ConnectionStrings:Redis is not: the cluster profile needs both."),
        };
    }
}
