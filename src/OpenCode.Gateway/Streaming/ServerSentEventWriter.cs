using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using OpenCode.Abstractions;

namespace OpenCode.Gateway.Streaming;

/// <summary>
/// Writes a conversation's events as Server-Sent Events (<c>id:</c> seq, <c>event:</c> type, <c>data:</c> JSON) onto
/// the response pipe. Nothing reaches the client until <see cref="FlushAsync"/>: a stream flushes once per batch.
/// </summary>
public sealed class ServerSentEventWriter : IDisposable
{
    public const string ContentType = "text/event-stream";

    private readonly PipeWriter _body;
    private readonly string _conversationId;
    private readonly Utf8JsonWriter _json;

    private ServerSentEventWriter(HttpResponse response, string conversationId)
    {
        _body = response.BodyWriter;
        _conversationId = conversationId;
        _json = new Utf8JsonWriter(_body);
    }

    /// <summary>Sends the headers and the <c>retry:</c> hint: the client knows the stream is open before the first event.</summary>
    public static async Task<ServerSentEventWriter> StartAsync(HttpResponse response, string conversationId, int retryMilliseconds, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx buffer responses unless told not to; a token must not wait for the next one.
        response.Headers["X-Accel-Buffering"] = "no";
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var writer = new ServerSentEventWriter(response, conversationId);
        writer._body.Write("retry: "u8);
        writer.WriteNumber(retryMilliseconds);
        writer._body.Write("\n\n"u8);
        await writer.FlushAsync(cancellationToken);
        return writer;
    }

    public void Write(ConversationEvent e)
    {
        _body.Write("id: "u8);
        WriteNumber(e.Seq);
        _body.Write("\nevent: "u8);
        WriteAscii(e.Type);
        _body.Write("\ndata: "u8);
        // The writer escapes line breaks inside strings and is not indented: the JSON is one line, one data field.
        _json.Reset(_body);
        ConversationEventJson.Write(_json, _conversationId, e);
        _json.Flush();
        _body.Write("\n\n"u8);
    }

    /// <summary>A comment line: keeps proxies and clients from timing out an idle stream.</summary>
    public void WriteHeartbeat() => _body.Write(": ping\n\n"u8);

    /// <summary>A comment line of one line of ASCII text: what a client reading the raw stream sees, and every parser skips.</summary>
    public void WriteComment(string text)
    {
        _body.Write(": "u8);
        WriteAscii(text);
        _body.Write("\n\n"u8);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _body.FlushAsync(cancellationToken);
    }

    public void Dispose() => _json.Dispose();

    private void WriteNumber(long value)
    {
        var span = _body.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        _body.Advance(written);
    }

    /// <summary>Event types are ASCII constants (<see cref="ConversationEventTypes"/>).</summary>
    private void WriteAscii(string value)
    {
        var span = _body.GetSpan(value.Length);
        var written = System.Text.Encoding.ASCII.GetBytes(value, span);
        _body.Advance(written);
    }
}
