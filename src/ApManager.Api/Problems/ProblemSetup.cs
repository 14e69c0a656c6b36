using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ApManager.Api.Problems;

public static class ProblemSetup
{
    /// <summary>HttpContext item holding the problem type a response carried (for the audit of rejected attempts).</summary>
    public const string ProblemTypeKey = "apmanager.problem";

    /// <summary>
    /// Problem details for everything: our own problems, status codes from routing (404, 405),
    /// binding failures (400 with the reason) and unexpected exceptions (500, logged).
    /// </summary>
    public static IServiceCollection AddApManagerProblems(this IServiceCollection services)
    {
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            if (problem.Type is null || problem.Type.StartsWith("http", StringComparison.Ordinal))
            {
                var type = ProblemCatalog.ForStatus(status);
                problem.Type = type.Uri;
                problem.Title = type.Title;
                problem.Detail ??= status switch
                {
                    404 => $"No resource at {context.HttpContext.Request.Path}.",
                    405 => $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}.",
                    _ => type.Description,
                };
            }
            problem.Instance ??= context.HttpContext.Request.Path;
            problem.Extensions.TryAdd("traceId", Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
            context.HttpContext.RequestServices.GetService<Operations.ApManagerMetrics>()?.CountProblem(problem.Type, status);
            context.HttpContext.Items[ProblemTypeKey] = problem.Type;
        });
        // Registered after the default writer, which declines when Accept names no JSON type
        // (Accept: text/plain): status-code pages (404, 405, 415 from routing) would then answer
        // with a plain-text body. Every error is a problem, whatever the client prefers.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, FallbackProblemWriter>());
        services.AddExceptionHandler<BadInputExceptionHandler>();
        return services;
    }

    /// <summary>Writes application/problem+json when no other writer accepts the request's Accept header.</summary>
    private sealed class FallbackProblemWriter(IOptions<ProblemDetailsOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => true;

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            var problem = context.ProblemDetails;
            problem.Status ??= context.HttpContext.Response.StatusCode;
            options.Value.CustomizeProblemDetails?.Invoke(context);
            // The runtime type: a typed problem's own members are part of the body.
            return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(
                problem, problem.GetType(), json.Value.SerializerOptions, "application/problem+json", context.HttpContext.RequestAborted));
        }
    }

    /// <summary>
    /// Turns a framework failure to read the request (a body over the limit, an unreadable body)
    /// into a 4xx problem. Query values never get here: <see cref="Http.QueryGuard"/> checks them first.
    /// </summary>
    private sealed class BadInputExceptionHandler : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad)
            {
                return false;
            }
            var type = bad.StatusCode switch
            {
                413 => ProblemCatalog.PayloadTooLarge,
                415 => ProblemCatalog.UnsupportedMediaType,
                _ => ProblemCatalog.BadRequest,
            };
            httpContext.Response.StatusCode = bad.StatusCode;
            // The body class the catalog documents for the type, members included.
            ApProblem body = type == ProblemCatalog.PayloadTooLarge
                ? new LimitProblem { Limit = (int)Math.Min(int.MaxValue, httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? Transfer.TransferEndpoints.MaxImportBytes) }
                : type == ProblemCatalog.UnsupportedMediaType ? new UnsupportedMediaTypeProblem { ContentType = httpContext.Request.ContentType }
                : new ApProblem();
            // The framework's message names parameter types; the client gets what it sent and why.
            await ProblemFactory.Result(httpContext, type with { Status = bad.StatusCode }, Http.JsonBodyErrors.Framework(bad.Message), body).ExecuteAsync(httpContext);
            return true;
        }
    }
}
