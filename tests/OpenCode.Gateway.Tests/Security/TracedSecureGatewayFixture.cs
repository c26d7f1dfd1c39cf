using OpenCode.Testing;

namespace OpenCode.Gateway.Tests.Security;

/// <summary>The secure gateway exporting its traces, logs and metrics to a collector of its own, searched by the leak test.</summary>
public sealed class TracedSecureGatewayFixture : SecureGatewayFixture
{
    public OtlpReceiver Collector { get; private set; } = null!;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Collector.DisposeAsync();
    }

    protected override async Task ConfigureAsync(IDictionary<string, string?> environment)
    {
        Collector = await OtlpReceiver.StartAsync();
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = Collector.Endpoint;
        environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        // Export within a fraction of a second instead of the defaults' 5 s (traces, logs) and 60 s (metrics).
        environment["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        environment["OTEL_BLRP_SCHEDULE_DELAY"] = "100";
        environment["OTEL_METRIC_EXPORT_INTERVAL"] = "500";
    }
}
