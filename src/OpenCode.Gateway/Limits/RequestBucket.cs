using System.Net;
using OpenCode.Abstractions;

namespace OpenCode.Gateway.Limits;

/// <summary>
/// The request-rate bucket a request takes from: its user's in its tenant, or, for an anonymous request, its client
/// address's (no tenant). A value: finding a bucket allocates nothing on the turn path.
/// </summary>
public readonly record struct RequestBucket(string? Tenant, string Name)
{
    /// <summary>
    /// The caller's user's bucket, whatever credential it presented: every API key (and token) of a user shares it, so
    /// a user cannot multiply the rate by issuing keys. It bounds each key too: a key's requests are its user's, so a
    /// bucket of the key's own, filled at the same rate, could never run out first.
    /// </summary>
    public static RequestBucket Of(CallerIdentity caller) => new(caller.Tenant, caller.User);

    public static RequestBucket OfAddress(IPAddress? address) => new(null, address?.ToString() ?? "unknown");
}
