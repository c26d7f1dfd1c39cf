namespace OpenCode.Abstractions;

/// <summary>
/// How MCP tools are named to the model: <c>{server}_{tool}</c>, with every character outside
/// <c>[A-Za-z0-9_-]</c> replaced by <c>_</c>. Permission globs match this name.
/// </summary>
public static class McpToolNames
{
    public static string Qualify(string server, string tool) => Sanitize($"{server}_{tool}");

    /// <summary><paramref name="value"/> with every character outside <c>[A-Za-z0-9_-]</c> replaced by <c>_</c>.</summary>
    public static string Sanitize(string value)
    {
        var index = value.AsSpan().IndexOfAnyExcept(AllowedChars);
        if (index < 0)
        {
            return value;
        }

        return string.Create(value.Length, (value, index), static (span, state) =>
        {
            state.value.AsSpan().CopyTo(span);
            var rest = span[state.index..];
            for (var i = 0; i < rest.Length; i++)
            {
                if (!AllowedChars.Contains(rest[i]))
                {
                    rest[i] = '_';
                }
            }
        });
    }

    private static readonly System.Buffers.SearchValues<char> AllowedChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
}
