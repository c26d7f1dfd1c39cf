using Microsoft.Extensions.Options;

namespace OpenCode.Gateway.Streaming;

public static class StreamingServiceExtensions
{
    /// <summary>The <c>Streaming</c> options of SSE and WebSocket.</summary>
    public static WebApplicationBuilder AddOpenCodeStreaming(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<StreamingOptions>(builder.Configuration.GetSection(StreamingOptions.Section));
        // UseWebSockets() reads these: idle sockets are pinged at the configured interval.
        builder.Services.AddOptions<WebSocketOptions>()
            .Configure<IOptions<StreamingOptions>>((webSockets, streaming) => webSockets.KeepAliveInterval = streaming.Value.WebSocket.KeepAliveInterval);
        return builder;
    }
}
