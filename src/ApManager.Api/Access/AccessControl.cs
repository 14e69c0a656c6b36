using System.Security.Claims;
using ApManager.Api.Problems;
using Microsoft.AspNetCore.Authentication;

namespace ApManager.Api.Access;

/// <summary>
/// Who is calling and whether the endpoint lets them, in one pass per request: an API key is
/// looked up among the hashed keys, a JWT goes to the framework's JwtBearer handler, and the
/// endpoint's <see cref="RequiredRoleMetadata"/> (the strongest one it carries) decides.
/// A missing or bad credential on a protected endpoint is 401, a role too weak 403, both problems.
/// </summary>
/// <remarks>
/// This replaces <c>UseAuthentication</c> + <c>UseAuthorization</c> with role policies: a CPU profile
/// of <c>GET /api/bus</c> under wrk put those two middlewares (a handler built per request, the policy
/// evaluator, the requirement handlers, the result handler) at about a sixth of the process's CPU,
/// for a decision that is one hash lookup and one role comparison (docs/performance.md).
/// </remarks>
internal sealed class AccessControl(RequestDelegate next, ApiKeyStore keys)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var token = BearerToken.From(context.Request);
        var valid = token is null || await AuthenticateAsync(context, token);
        if (RequiredRole(context.GetEndpoint()) is not { } role)
        {
            // Anonymous routes (health, problems, the dashboard) ignore a bad credential, as before.
            await next(context);
            return;
        }
        if (!valid || context.User.Identity?.IsAuthenticated != true)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ProblemFactory.Unauthenticated(context,
                token is null ? "Send 'Authorization: Bearer <API key or token>'." : "The API key or token is not valid.").ExecuteAsync(context);
            return;
        }
        if (!Roles.Allows(context.User, role))
        {
            await ProblemFactory.Forbidden(context, $"'{context.User.Identity.Name}' may not do this; it needs the {role} role.", role).ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    /// <summary>Sets <see cref="HttpContext.User"/> from the token; false when the token is not valid.</summary>
    private async ValueTask<bool> AuthenticateAsync(HttpContext context, string token)
    {
        if (keys.JwtConfigured && BearerToken.LooksLikeJwt(token))
        {
            var result = await context.AuthenticateAsync(AuthenticationSetup.JwtScheme);
            if (!result.Succeeded)
            {
                return false;
            }
            context.User = result.Principal;
            return true;
        }
        if (keys.Find(token) is not { } key)
        {
            return false;
        }
        // A principal per request: nothing shared between requests that a later change could mutate.
        context.User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, key.Name), new Claim(ClaimTypes.Role, key.Role), new Claim("auth_method", "api-key")],
            "ApiKey"));
        return true;
    }

    /// <summary>The strongest role the endpoint's metadata asks for (a group's read plus a route's mutation: the mutation's); null when anonymous.</summary>
    internal static string? RequiredRole(Endpoint? endpoint)
    {
        if (endpoint is null)
        {
            return null;
        }
        string? strongest = null;
        foreach (var required in endpoint.Metadata.GetOrderedMetadata<RequiredRoleMetadata>())
        {
            if (strongest is null || Roles.Rank(required.Role) > Roles.Rank(strongest))
            {
                strongest = required.Role;
            }
        }
        return strongest;
    }
}
