using Microsoft.Extensions.Configuration;

namespace OpenCode.Runtime.Telemetry;

/// <summary>
/// Traces, logs and metrics go to an OpenTelemetry collector when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names one (the
/// SDK reads the other <c>OTEL_*</c> settings itself). Without it nothing is traced, so nothing is paid for tracing.
/// </summary>
public static class OtlpExport
{
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Orleans' activity sources: grain calls, as the silo reports them once activity propagation is on.</summary>
    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[EndpointSetting]);
}
