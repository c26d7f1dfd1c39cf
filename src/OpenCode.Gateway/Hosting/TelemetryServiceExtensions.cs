using OpenCode.Runtime.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace OpenCode.Gateway.Hosting;

/// <summary>
/// OpenTelemetry. Metrics are always collected for <c>GET /metrics</c> (Prometheus' text format): the server's own
/// (<see cref="OpenCodeMetrics"/>), Orleans', ASP.NET Core's, outgoing HTTP (models, MCP servers) and the runtime's.
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set (<see cref="OtlpExport"/>), requests are also traced through the
/// grains to the models and MCP servers, and traces, metrics and logs are exported to that collector; spans are
/// masked first (<see cref="MaskingActivityProcessor"/>).
/// </summary>
public static class TelemetryServiceExtensions
{
    private static readonly string[] Meters =
    [
        OpenCodeMetrics.MeterName,
        "Microsoft.Orleans",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "System.Net.Http",
        "System.Runtime",
    ];

    /// <summary>Probes and scrapes come every few seconds and say nothing about the service's work: not traced.</summary>
    private static readonly string[] UntracedPaths = ["/health", "/ready", "/metrics"];

    /// <summary>
    /// Series per metric. OpenTelemetry's default, 2,000, reserves room for that many with every metric, about 10 MB
    /// here; the busiest metric (HTTP requests by route, method and status) has a few dozen.
    /// </summary>
    private const int CardinalityLimit = 200;

    public static WebApplicationBuilder AddOpenCodeTelemetry(this WebApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Meters)
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = CardinalityLimit })
            .AddPrometheusExporter());
        if (OtlpExport.IsConfigured(builder.Configuration))
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(OtlpExport.OrleansSources)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !UntracedPaths.Contains(context.Request.Path.Value, StringComparer.OrdinalIgnoreCase))
                    .AddHttpClientInstrumentation()
                    .AddProcessor(new MaskingActivityProcessor()))
                .WithLogging()
                .UseOtlpExporter();
        }

        return builder;
    }
}
