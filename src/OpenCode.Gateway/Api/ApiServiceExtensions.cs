using Microsoft.AspNetCore.Http.Json;
using OpenCode.Runtime;

namespace OpenCode.Gateway.Api;

public static class ApiServiceExtensions
{
    /// <summary>JSON rules, problem details for every error, OpenAPI and the audit trail of admin actions (request limits: <c>AddOpenCodeLimits</c>).</summary>
    public static WebApplicationBuilder AddOpenCodeApi(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        builder.Services.Configure<JsonOptions>(o => OpenCodeJson.Configure(o.SerializerOptions));
        // Bad bodies throw BadHttpRequestException so that ApiExceptionHandler answers them as problems.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Extensions.TryAdd("code", Problems.CodeFor(ctx.ProblemDetails.Status ?? 500));
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
        });
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton<AuditTrail>();
        return builder;
    }
}
