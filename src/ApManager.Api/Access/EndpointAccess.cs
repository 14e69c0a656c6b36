using ApManager.Api.Problems;

namespace ApManager.Api.Access;

/// <summary>The two conventions every endpoint takes: a read (any role) or a mutation (a role and the rate limit).</summary>
public static class EndpointAccess
{
    /// <summary>
    /// Marks an endpoint as a mutation: it needs at least <paramref name="role"/>, counts against the
    /// caller's rate limit, and on a real host may meet the s390-tools lock held, a host that cannot
    /// be read, or a kernel that refuses the write.
    /// </summary>
    public static RouteHandlerBuilder Mutation(this RouteHandlerBuilder builder, string role) => builder
        .RequireRateLimiting(MutationRateLimit.Policy)
        .ProducesProblemType(ProblemCatalog.Unauthenticated)
        .ProducesProblemType(ProblemCatalog.Forbidden)
        .ProducesProblemType(ProblemCatalog.RateLimited)
        .ProducesProblemType(ProblemCatalog.HostBusy)
        .ProducesProblemType(ProblemCatalog.HostUnavailable)
        .ProducesProblemType(ProblemCatalog.HostRefused)
        .WithMetadata(new RequiredRoleMetadata(role));

    /// <summary>Marks a read: any authenticated caller (viewer and up); others get 401, a caller without a role 403.</summary>
    public static TBuilder Read<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder => builder
        .ProducesProblemType(ProblemCatalog.Unauthenticated)
        .ProducesProblemType(ProblemCatalog.Forbidden)
        .WithMetadata(new RequiredRoleMetadata(Roles.Viewer));
}

/// <summary>The least role an endpoint needs: what <see cref="AccessControl"/> checks, the 403 details, the OpenAPI security and the route-enumeration tests read.</summary>
public sealed record RequiredRoleMetadata(string Role);
