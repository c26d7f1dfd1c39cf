namespace OpenCode.Abstractions;

/// <summary>A fixed-size page of an append-only list, written once when the list's head spills over.</summary>
[Alias("OpenCode.IPageGrain`1")]
public interface IPageGrain<T> : IGrainWithStringKey
{
    [Alias("Write")]
    Task WriteAsync(IReadOnlyList<T> items);

    [Alias("Read")]
    Task<IReadOnlyList<T>> ReadAsync();

    [Alias("Clear")]
    Task ClearAsync();
}
