using ApManager.Api.Http;

namespace ApManager.Api.Access;

/// <summary>
/// Access control: authentication (API keys and JWT bearer tokens, both as <c>Authorization: Bearer</c>),
/// roles checked per endpoint, the first-run admin key, rate limiting of mutations, CORS and security headers.
/// Every piece reads its options when the host is built, so configuration added late (tests) is honoured.
/// </summary>
public static class AccessSetup
{
    public static IServiceCollection AddApManagerAccess(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddApiKeyOrJwtAuthentication();
        services.AddMutationRateLimit();
        services.AddConfiguredCors();
        return services;
    }

    public static WebApplication UseApManagerAccess(this WebApplication app)
    {
        app.UseSecurityHeaders();
        // Only a request with an Origin header concerns CORS (the middleware itself passes the others
        // through); the check here saves its invocation on every other request, and the branch is
        // built for the first request that has one.
        app.UseWhenFirstNeeded(context => context.Request.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.Origin), cors => cors.UseCors());
        // No authentication middleware: without a default scheme or a request-handling scheme it only
        // resolved the scheme provider and a handler provider on every request (~3% of GET /api/bus
        // in a profile); AccessControl authenticates a JWT by the scheme's name itself. The host adds
        // the middleware at the front of the pipeline unless this mark (the one UseAuthentication sets) is there.
        ((IApplicationBuilder)app).Properties["__AuthenticationMiddlewareSet"] = true;
        app.UseMiddleware<AccessControl>();
        app.UseRateLimiter();
        return app;
    }
}
