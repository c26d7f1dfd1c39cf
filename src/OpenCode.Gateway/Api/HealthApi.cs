using Microsoft.AspNetCore.Http.HttpResults;
using OpenCode.Runtime;
using Orleans.Runtime;
using Orleans.Storage;

namespace OpenCode.Gateway.Api;

public static class HealthApi
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    private static readonly GrainId ProbeGrain = GrainId.Create("readiness", "probe");

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        // Probes are never rate limited: a busy caller must not make a silo look dead.
        app.MapGet("/health", () => TypedResults.Ok(new HealthStatus("healthy")))
            .WithTags("Operations").WithName("Health").WithSummary("200 while the process runs.").AllowAnonymous().DisableRateLimiting();
        app.MapGet("/ready", ReadyAsync)
            .WithTags("Operations").WithName("Ready").WithSummary("200 when the silo is active and storage answers, else 503.").AllowAnonymous().DisableRateLimiting();
        return app;
    }

    public static async Task<Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>>> ReadyAsync(
        ILocalSiloDetails silo, ISiloStatusOracle membership, [FromKeyedServices(OpenCodeStorage.Name)] IGrainStorage storage, CancellationToken cancellationToken)
    {
        if (membership.CurrentStatus != SiloStatus.Active)
        {
            return NotReady($"silo {silo.SiloAddress} is {membership.CurrentStatus}");
        }

        try
        {
            await storage.ReadStateAsync("readiness", ProbeGrain, new GrainState<List<string>>()).WaitAsync(ProbeTimeout, cancellationToken);
            return TypedResults.Ok(new HealthStatus("ready"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return NotReady($"storage does not answer: {ex.Message}");
        }
    }

    private static JsonHttpResult<HealthStatus> NotReady(string reason) =>
        TypedResults.Json(new HealthStatus("unavailable", reason), statusCode: StatusCodes.Status503ServiceUnavailable);

    public sealed record HealthStatus(string Status, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Reason = null);
}
