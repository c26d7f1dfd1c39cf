using System.Globalization;
using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime.Tests.Tools;

public sealed class ToolResultLimitTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a short result")]
    public void A_result_that_fits_is_kept_as_it_is(string? result) =>
        Assert.Same(result, ToolResultLimit.Apply(result, ToolResultLimit.MinChars));

    [Fact]
    public void A_result_of_exactly_the_limit_is_kept_as_it_is()
    {
        var result = new string('x', 5_000);

        Assert.Same(result, ToolResultLimit.Apply(result, 5_000));
    }

    [Fact]
    public void A_longer_result_keeps_its_beginning_and_its_end_around_a_note_of_what_was_left_out()
    {
        var result = "BEGIN" + new string('x', 1_000_000) + "END";

        var cut = ToolResultLimit.Apply(result, 10_000)!;

        Assert.True(cut.Length <= 10_000, $"{cut.Length} characters");
        Assert.True(cut.Length > 9_800, $"{cut.Length} characters: the note should leave most of the room to the result");
        Assert.StartsWith("BEGIN", cut);
        Assert.EndsWith("END", cut);
        var omitted = result.Length - (cut.Length - Note(cut).Length);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"[… {omitted:N0} characters of this tool result were left out: the agent keeps 10,000 (limits.maxToolResultChars) …]"), cut);
    }

    [Fact]
    public void The_beginning_gets_three_quarters_of_what_is_kept()
    {
        var result = new string('a', 50_000) + new string('b', 50_000);

        var cut = ToolResultLimit.Apply(result, 4_000)!;

        var note = Note(cut);
        var head = cut.IndexOf(note, StringComparison.Ordinal);
        var tail = cut.Length - head - note.Length;
        Assert.Equal(new string('a', head), cut[..head]);
        Assert.Equal(new string('b', tail), cut[^tail..]);
        Assert.InRange(head, 3 * tail - 3, 3 * tail + 3);
    }

    [Fact]
    public void A_character_outside_the_basic_plane_is_never_split()
    {
        // Emoji are surrogate pairs: wherever the cuts fall, no half of one is left.
        var result = string.Concat(Enumerable.Repeat("😀", 5_000));

        for (var limit = 1_000; limit < 1_010; limit++)
        {
            var cut = ToolResultLimit.Apply(result, limit)!;

            Assert.True(cut.Length <= limit);
            for (var i = 0; i < cut.Length; i++)
            {
                if (char.IsHighSurrogate(cut[i]))
                {
                    Assert.True(i + 1 < cut.Length && char.IsLowSurrogate(cut[i + 1]), $"limit {limit}: a lone high surrogate at {i}");
                    i++;
                }
                else
                {
                    Assert.False(char.IsLowSurrogate(cut[i]), $"limit {limit}: a lone low surrogate at {i}");
                }
            }
        }
    }

    private static string Note(string cut)
    {
        var start = cut.IndexOf("\n\n[…", StringComparison.Ordinal);
        var end = cut.IndexOf("…]\n\n", start, StringComparison.Ordinal) + "…]\n\n".Length;
        return cut[start..end];
    }
}
