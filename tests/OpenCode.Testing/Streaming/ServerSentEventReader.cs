using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace OpenCode.Testing;

/// <summary>
/// Parses a <c>text/event-stream</c> body as the HTML standard's event-stream interpretation does: lines end with
/// LF, CR or CRLF; <c>:</c> starts a comment; <c>field: value</c> loses one space after the colon; several
/// <c>data</c> lines join with LF; a blank line dispatches; <c>retry</c> takes digits only; <c>id</c> persists.
/// </summary>
public sealed class ServerSentEventReader(Stream body) : IDisposable
{
    private readonly StreamReader _reader = new(body, new UTF8Encoding(false));
    private readonly ConcurrentQueue<string> _comments = new();
    private int _retry = -1;

    /// <summary>The id of the last event that had one: what a reconnecting client sends as <c>Last-Event-ID</c>.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>The last <c>retry:</c> hint in milliseconds, or null when none came.</summary>
    public int? Retry => Volatile.Read(ref _retry) is >= 0 and var retry ? retry : null;

    /// <summary>Every comment line so far (without the colon and one following space), in order.</summary>
    public IReadOnlyCollection<string> Comments => _comments;

    /// <summary>The next event, or null when the stream ended (an unfinished event at the end is dropped, as the spec says).</summary>
    public async Task<ServerSentEvent?> ReadAsync(CancellationToken cancellationToken = default)
    {
        var data = new StringBuilder();
        var hasData = false;
        string? type = null;
        string? id = null;
        var sawId = false;
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (sawId)
                {
                    LastEventId = id;
                }

                if (hasData)
                {
                    return new ServerSentEvent(sawId ? id : null, type ?? "message", data.ToString());
                }

                type = null;
                sawId = false;
                continue;
            }

            if (line[0] == ':')
            {
                _comments.Enqueue(line.Length > 1 && line[1] == ' ' ? line[2..] : line[1..]);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    hasData = true;
                    break;
                case "event":
                    type = value;
                    break;
                case "id" when !value.Contains('\0', StringComparison.Ordinal):
                    id = value;
                    sawId = true;
                    break;
                case "retry" when value.Length > 0 && value.All(char.IsAsciiDigit):
                    Volatile.Write(ref _retry, int.Parse(value, CultureInfo.InvariantCulture));
                    break;
            }
        }

        return null;
    }

    public void Dispose() => _reader.Dispose();
}
