using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenCode.Abstractions;
using OpenCode.Gateway.Api.Models;
using OpenCode.Gateway.Security;
using OpenCode.Runtime.Audit;

namespace OpenCode.Gateway.Api;

public static class AuditApi
{
    public const int DefaultPageLimit = 50;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/admin/audit").WithTags("Audit");
        audit.MapGet("/", ListAsync).WithName("ListAuditEntries")
            .WithSummary("Read the caller's tenant's audit log, newest first: from (inclusive) and to (exclusive) as ISO-8601 times, actor, action; limit and cursor page.");
        return app;
    }

    public static async Task<Results<Ok<AuditPageView>, ProblemHttpResult>> ListAsync(
        string? from,
        string? to,
        string? actor,
        string? action,
        int? limit,
        string? cursor,
        [AsParameters] ApiContext api,
        IAuditLog log,
        CancellationToken cancellationToken)
    {
        api.Demand(Permissions.AuditRead);
        var errors = new List<FieldError>();
        var fromTime = Time(from, "from", errors);
        var toTime = Time(to, "to", errors);
        if (fromTime is not null && toTime is not null && toTime <= fromTime)
        {
            errors.Add(new FieldError("to", "must be after 'from'"));
        }

        if (action is not null && !AuditActions.All.Contains(action))
        {
            errors.Add(new FieldError("action", $"must be one of {string.Join(", ", AuditActions.All)}"));
        }

        if (limit is < 1 or > AuditQuery.MaxLimit)
        {
            errors.Add(new FieldError("limit", $"must be between 1 and {AuditQuery.MaxLimit}"));
        }

        AuditCursor? after = null;
        if (cursor is not null)
        {
            if (AuditCursor.TryParse(cursor, out var parsed))
            {
                after = parsed;
            }
            else
            {
                errors.Add(new FieldError("cursor", "is not a cursor this endpoint returned"));
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var page = await log.QueryAsync(
            new AuditQuery
            {
                Tenant = api.Caller.Tenant,
                From = fromTime,
                To = toTime,
                Actor = actor,
                Action = action,
                Limit = limit ?? DefaultPageLimit,
                After = after,
            },
            cancellationToken);
        return TypedResults.Ok(new AuditPageView([.. page.Entries.Select(AuditEntryView.From)], page.Next?.ToString()));
    }

    /// <summary>An ISO-8601 time; one without an offset is UTC.</summary>
    private static DateTimeOffset? Time(string? value, string field, List<FieldError> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        errors.Add(new FieldError(field, $"'{value}' is not an ISO-8601 time such as 2025-01-31T12:00:00Z"));
        return null;
    }
}
