using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ApManager.Api.Problems;

public static partial class ProblemSetup
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
            return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(
                problem, typeof(ProblemDetails), json.Value.SerializerOptions, "application/problem+json", context.HttpContext.RequestAborted));
        }
    }

    /// <summary>Turns a framework binding failure into a 4xx problem that says what was wrong.</summary>
    private sealed partial class BadInputExceptionHandler : IExceptionHandler
    {
        [System.Text.RegularExpressions.GeneratedRegex("^Failed to bind parameter \"(?:.* )?(?<name>[^ \"]+)\" from \"(?<value>.*)\"\\.$")]
        private static partial System.Text.RegularExpressions.Regex BindFailure();

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
                _ when bad.Message.StartsWith("Failed to bind parameter", StringComparison.Ordinal) => ProblemCatalog.InvalidQuery,
                _ => ProblemCatalog.BadRequest,
            };
            // invalid-query promises `parameter` and `value`; the framework only says them in its message.
            ProblemHttpResult result = type == ProblemCatalog.InvalidQuery && BindFailure().Match(bad.Message) is { Success: true } m
                ? ProblemFactory.InvalidQuery(httpContext, m.Groups["name"].Value, m.Groups["value"].Value, "The value does not convert to the parameter's type.")
                : ProblemFactory.Create(httpContext, type with { Status = bad.StatusCode }, bad.Message);
            httpContext.Response.StatusCode = bad.StatusCode;
            await result.ExecuteAsync(httpContext);
            return true;
        }
    }
}
