using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApManager.Api.Problems;

/// <summary>Builds RFC 9457 problems as their typed bodies: type, title, status, detail, instance and traceId filled in one place.</summary>
public static class ProblemFactory
{
    /// <summary>Fills the members every problem has and returns the result that writes it.</summary>
    public static ProblemHttpResult Result<T>(HttpContext context, ProblemType type, string detail, T body) where T : ApProblem
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(body);
        body.Type = type.Uri;
        body.Title = type.Title;
        body.Status = type.Status;
        body.Detail = detail;
        body.Instance = context.Request.Path.Value;
        body.Extensions["traceId"] = Activity.Current?.Id ?? context.TraceIdentifier;
        return TypedResults.Problem(body);
    }

    /// <summary>A problem whose type has no members of its own.</summary>
    public static ProblemHttpResult Create(HttpContext context, ProblemType type, string detail) => Result(context, type, detail, new ApProblem());

    public static ProblemHttpResult NotFoundProblem(HttpContext context, string kind, string id) =>
        Result(context, ProblemCatalog.NotFound, $"There is no {kind} '{id}'.", new NotFoundProblem { Kind = kind, Id = id });

    /// <summary>invalid-request naming one field.</summary>
    public static ProblemHttpResult Invalid(HttpContext context, string field, string detail) =>
        Invalid(context, detail, new Dictionary<string, string[]> { [field] = [detail] });

    /// <summary>invalid-request naming every offending field.</summary>
    public static ProblemHttpResult Invalid(HttpContext context, string detail, IReadOnlyDictionary<string, string[]> errors) =>
        Result(context, ProblemCatalog.InvalidRequest, detail, new InvalidRequestProblem { Errors = errors });

    public static ProblemHttpResult InvalidBody(HttpContext context, string detail) => Create(context, ProblemCatalog.InvalidBody, detail);

    public static ProblemHttpResult InvalidQuery(HttpContext context, string parameter, string? value, string detail) =>
        Result(context, ProblemCatalog.InvalidQuery, $"Query parameter '{parameter}'{(value is null ? string.Empty : $" = '{value}'")}: {detail}",
            new InvalidQueryProblem { Parameter = parameter, Value = value });

    public static ProblemHttpResult UnsupportedMediaType(HttpContext context, string? mediaType, bool textAllowed) =>
        Result(context, ProblemCatalog.UnsupportedMediaType,
            $"Content-Type '{mediaType ?? "(none)"}' is not accepted here; send application/json{(textAllowed ? " or text/plain" : string.Empty)}.",
            new UnsupportedMediaTypeProblem { ContentType = mediaType });

    public static ProblemHttpResult PayloadTooLarge(HttpContext context, int limit) =>
        Result(context, ProblemCatalog.PayloadTooLarge, $"The request body exceeds {limit.ToString(CultureInfo.InvariantCulture)} bytes.",
            new LimitProblem { Limit = limit });

    public static ProblemHttpResult Unauthenticated(HttpContext context, string detail) => Create(context, ProblemCatalog.Unauthenticated, detail);

    public static ProblemHttpResult Forbidden(HttpContext context, string detail, string requiredRole) =>
        Result(context, ProblemCatalog.Forbidden, detail, new ForbiddenProblem { RequiredRole = requiredRole });

    public static ProblemHttpResult RateLimited(HttpContext context, int retryAfter) =>
        Result(context, ProblemCatalog.RateLimited, $"Too many changes from this caller; retry after {retryAfter} s.",
            new RateLimitedProblem { RetryAfter = retryAfter });

    public static ProblemHttpResult StorageUnavailable(HttpContext context, string detail) => Create(context, ProblemCatalog.StorageUnavailable, detail);
}
