using System.Data.Common;

namespace OpenCode.Gateway.Api;

/// <summary>Recognises a failure caused by the state store being unreachable, however Orleans wrapped it.</summary>
public static class StorageFailure
{
    /// <summary>How long a client is asked to wait before trying again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether <paramref name="exception"/> or one of its inner exceptions is a transient database failure (the
    /// storage bridge wraps the provider's exception in an <c>OrleansException</c>).
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case DbException { IsTransient: true }:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsUnavailable):
                    return true;
            }
        }

        return false;
    }
}
