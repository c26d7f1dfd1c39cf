namespace OpenCode.Abstractions;

/// <summary>Something <see cref="CoarseTicker"/> checks against the clock while it is registered.</summary>
public interface ICoarseTimed
{
    /// <summary>
    /// Called on the ticker's thread with the current <see cref="TimeProvider.System"/> timestamp: quick, never
    /// blocking, never throwing, and possibly once more after the item was unregistered.
    /// </summary>
    void OnTick(long timestamp);
}
