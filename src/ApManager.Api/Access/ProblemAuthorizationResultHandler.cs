using ApManager.Api.Problems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ApManager.Api.Access;

/// <summary>Writes 401 and 403 as problems: a missing or bad credential, or a role too weak for the endpoint.</summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged || (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated != true))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ProblemFactory.Unauthenticated(context,
                BearerToken.From(context.Request) is null
                    ? "Send 'Authorization: Bearer <API key or token>'."
                    : "The API key or token is not valid.").ExecuteAsync(context);
            return;
        }
        if (authorizeResult.Forbidden)
        {
            var needed = context.GetEndpoint()?.Metadata.GetMetadata<RequiredRoleMetadata>()?.Role ?? "a stronger role";
            await ProblemFactory.Forbidden(context, $"'{context.User.Identity?.Name}' may not do this; it needs the {needed} role.", needed)
                .ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
