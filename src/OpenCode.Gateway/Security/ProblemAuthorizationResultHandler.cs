using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api;

namespace OpenCode.Gateway.Security;

/// <summary>Answers a refused request as a problem (401 with the reason, 403) instead of an empty challenge.</summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            return next(context);
        }

        return authorizeResult.Forbidden
            ? Problems.For(ErrorCodes.Forbidden, "The caller may not do this.").ExecuteAsync(context)
            : UnauthorizedAnswer.WriteAsync(context);
    }
}
