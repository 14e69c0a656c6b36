using Microsoft.AspNetCore.Authorization;

namespace ApManager.Api.Access;

/// <summary>One authorization policy per role, named after it ("at least this role"), and 401/403 answered as problems.</summary>
internal static class RolePolicies
{
    public static IServiceCollection AddRolePolicies(this IServiceCollection services)
    {
        services.AddAuthorization(o =>
        {
            foreach (var role in Roles.All)
            {
                o.AddPolicy(role, p => p.RequireAuthenticatedUser().RequireRole(Roles.AtLeast(role)));
            }
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return services;
    }
}
