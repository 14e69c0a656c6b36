namespace ApManager.Api.Access;

/// <summary>Headers on every response that keep browsers from sniffing, framing or leaking; no caching of API answers.</summary>
internal static class SecurityHeaders
{
    private const string Policy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

    // Swagger UI's page needs inline script and style; nothing else does.
    private const string SwaggerPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

    // Not async: a pass-through layer that awaits pays a state machine and a continuation on every request.
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/swagger") ? SwaggerPolicy : Policy;
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            headers.CacheControl = "no-store";
        }
        return next(context);
    });
}
