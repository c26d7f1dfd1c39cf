namespace OpenCode.Runtime;

public static class PersistentStateExtensions
{
    /// <summary>
    /// Writes the state; if the write fails, undoes the in-memory change so the grain's memory is never ahead
    /// of storage, and drops the activation so the next call reloads state and etag from storage (after an
    /// etag conflict every later write would fail too). The caller then sees the failure.
    /// </summary>
    public static async Task WriteOrRollbackAsync<T>(this IPersistentState<T> state, IGrainBase grain, Action rollback)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            rollback();
            grain.DeactivateOnIdle();
            throw;
        }
    }
}
