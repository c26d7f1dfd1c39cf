using OpenCode.Runtime.Telemetry;
using OpenTelemetry.Metrics;

namespace OpenCode.Gateway.Hosting;

/// <summary>
/// The metrics <c>GET /metrics</c> serves in Prometheus' text format (OpenTelemetry's exporter): the server's own
/// (<see cref="OpenCodeMetrics"/>), Orleans', ASP.NET Core's, outgoing HTTP (models, MCP servers) and the runtime's.
/// </summary>
public static class MetricsServiceExtensions
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

    /// <summary>
    /// Series per metric. OpenTelemetry's default, 2,000, reserves room for that many with every metric, about 10 MB
    /// here; the busiest metric (HTTP requests by route, method and status) has a few dozen.
    /// </summary>
    private const int CardinalityLimit = 200;

    public static WebApplicationBuilder AddOpenCodeMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Meters)
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = CardinalityLimit })
            .AddPrometheusExporter());
        return builder;
    }
}
