namespace OpenCode.Runtime;

public static class PersistentStateExtensions
{
    /// <summary>
    /// Writes the state; if the write fails, undoes the in-memory change first so the grain's memory is
    /// never ahead of storage, then lets the caller see the failure.
    /// </summary>
    public static async Task WriteOrRollbackAsync<T>(this IPersistentState<T> state, Action rollback)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            rollback();
            throw;
        }
    }
}
