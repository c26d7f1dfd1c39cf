using OpenCode.Gateway.Security;

namespace OpenCode.Gateway.Api;

public static class MetricsApi
{
    /// <summary>
    /// <c>GET /metrics</c>: for callers granted <c>metrics:read</c> (the local admin when authentication is off; a
    /// monitoring key otherwise, sent as <c>Authorization: Bearer</c>), never rate limited, like the probes.
    /// </summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, optionsName: null, configureBranchedPipeline: branch =>
            branch.Use((context, next) =>
                context.RequestServices.GetRequiredService<RoleCatalog>().Grants(Callers.Of(context).Roles, Permissions.MetricsRead)
                    ? next(context)
                    : throw new MissingPermissionException(Permissions.MetricsRead)))
            .WithTags("Operations").WithName("Metrics").WithSummary("The server's metrics in Prometheus' text format.").DisableRateLimiting();
        return app;
    }
}
