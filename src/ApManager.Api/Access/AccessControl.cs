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
    // Not async on the API-key path: every request passes here, and a layer that awaits pays a
    // state machine and a continuation. Only a JWT goes through the (asynchronous) handler.
    public Task InvokeAsync(HttpContext context)
    {
        var token = BearerToken.From(context.Request);
        if (token is not null && keys.JwtConfigured && BearerToken.LooksLikeJwt(token))
        {
            return WithJwtAsync(context, token);
        }
        return Decide(context, token, valid: token is null || AuthenticateKey(context, token));
    }

    private async Task WithJwtAsync(HttpContext context, string token)
    {
        var result = await context.AuthenticateAsync(AuthenticationSetup.JwtScheme);
        if (result.Succeeded)
        {
            context.User = result.Principal;
        }
        await Decide(context, token, result.Succeeded);
    }

    /// <summary>The endpoint's required role against the caller; <paramref name="valid"/> is false when a credential was sent and not accepted.</summary>
    private Task Decide(HttpContext context, string? token, bool valid)
    {
        if (RequiredRole(context.GetEndpoint()) is not { } role)
        {
            // Anonymous routes (health, problems, the dashboard) ignore a bad credential, as before.
            return next(context);
        }
        if (!valid || context.User.Identity?.IsAuthenticated != true)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ProblemFactory.Unauthenticated(context,
                token is null ? "Send 'Authorization: Bearer <API key or token>'." : "The API key or token is not valid.").ExecuteAsync(context);
        }
        if (!Roles.Allows(context.User, role))
        {
            return ProblemFactory.Forbidden(context, $"'{context.User.Identity.Name}' may not do this; it needs the {role} role.", role).ExecuteAsync(context);
        }
        return next(context);
    }

    /// <summary>Sets <see cref="HttpContext.User"/> from an API key; false when no key matches.</summary>
    private bool AuthenticateKey(HttpContext context, string token)
    {
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
