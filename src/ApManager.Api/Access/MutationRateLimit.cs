using System.Globalization;
using System.Threading.RateLimiting;
using ApManager.Api.Configuration;
using ApManager.Api.Problems;
using Microsoft.AspNetCore.RateLimiting;

namespace ApManager.Api.Access;

/// <summary>A token bucket per caller for mutations; a refused call is <c>429 /problems/rate-limited</c> with <c>Retry-After</c>.</summary>
public static class MutationRateLimit
{
    /// <summary>The rate limiter policy every mutation names.</summary>
    public const string Policy = "mutations";

    public static IServiceCollection AddMutationRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddSettings<RateLimitOptions, RateLimits>();
        services.AddOptions<RateLimiterOptions>().Configure<RateLimits>((o, limits) =>
        {
            o.AddPolicy(Policy, context =>
            {
                var caller = context.User.Identity?.IsAuthenticated == true
                    ? "user:" + context.User.Identity.Name
                    : "ip:" + context.Connection.RemoteIpAddress;
                return limits.MutationsPerSecond == 0
                    ? RateLimitPartition.GetNoLimiter(caller)
                    : RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = Math.Max(limits.Burst, 1),
                        TokensPerPeriod = limits.MutationsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            o.OnRejected = RejectAsync;
        });
        return services;
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
        context.HttpContext.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        await ProblemFactory.RateLimited(context.HttpContext, retry).ExecuteAsync(context.HttpContext);
    }
}
