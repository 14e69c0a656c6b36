using ApManager.Api.Http;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ApManager.Api.Operations;

/// <summary>Liveness and readiness, anonymous, and documented in OpenAPI like every other route.</summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>The outcome of the health checks.</summary>
    public sealed record HealthDto(string Status, IReadOnlyDictionary<string, string> Checks);

    public static IServiceCollection AddApManagerHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<StateHealthCheck>("state", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health");
        group.MapMethods("/live", HeadRequests.GetAndHead, (HealthCheckService health, CancellationToken ct) => Run(health, _ => false, ct))
            .WithName("Live")
            .WithSummary("Liveness: the process answers")
            .WithDescription("200 while the process serves requests; no check is run. Anonymous.")
            .Produces<HealthDto>(StatusCodes.Status503ServiceUnavailable)
            .AllowQuery();
        group.MapMethods("/ready", HeadRequests.GetAndHead, (HealthCheckService health, CancellationToken ct) => Run(health, c => c.Tags.Contains(ReadyTag), ct))
            .WithName("Ready")
            .WithSummary("Readiness: the bus state is loaded and serving")
            .WithDescription("200 when the state is loaded and, on a real host, its AP bus can be read; 503 with the failing check otherwise. Anonymous.")
            .Produces<HealthDto>(StatusCodes.Status503ServiceUnavailable)
            .AllowQuery();
        return routes;
    }

    private static async Task<Results<Ok<HealthDto>, JsonHttpResult<HealthDto>>> Run(HealthCheckService health, Func<HealthCheckRegistration, bool> predicate, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(predicate, ct);
        var dto = new HealthDto(report.Status.ToString(), report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()));
        return report.Status == HealthStatus.Unhealthy
            ? TypedResults.Json(dto, statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok(dto);
    }

    /// <summary>Ready while the state is loaded and, on a real host, its AP bus can be read.</summary>
    private sealed class StateHealthCheck(ApSystem system) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(
                system.Host is Core.Host.Sysfs.SysfsHost { Unavailable: { } why } ? HealthCheckResult.Unhealthy(why)
                : system.Current.Version > 0 ? HealthCheckResult.Healthy($"version {system.Current.Version}")
                : HealthCheckResult.Unhealthy("state not loaded"));
    }
}
