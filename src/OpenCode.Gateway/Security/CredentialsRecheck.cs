using OpenCode.Abstractions;

namespace OpenCode.Gateway.Security;

/// <summary>
/// The credentials check of one long-lived response (an event stream), asked as it goes: it asks the key's grain at
/// most every <see cref="CallerCredentials.CheckInterval"/>, and never for credentials that cannot lapse.
/// </summary>
public sealed class CredentialsRecheck(CallerIdentity caller, IGrainFactory grains, TimeProvider clock)
{
    private readonly bool _canLapse = CallerCredentials.CanLapse(caller);

    // The request that opened the response has just been authenticated.
    private long _checkedAt = clock.GetTimestamp();

    /// <summary>Why the credentials no longer hold, or null while they do (or were checked less than an interval ago).</summary>
    public async ValueTask<string?> LapsedAsync()
    {
        if (!_canLapse || clock.GetElapsedTime(_checkedAt) < CallerCredentials.CheckInterval)
        {
            return null;
        }

        _checkedAt = clock.GetTimestamp();
        return await CallerCredentials.LapsedAsync(caller, grains, clock);
    }
}
