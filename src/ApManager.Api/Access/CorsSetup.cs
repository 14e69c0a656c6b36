using ApManager.Api.Configuration;
using Microsoft.AspNetCore.Cors.Infrastructure;

namespace ApManager.Api.Access;

/// <summary>CORS for dashboards on other origins: only the configured origins, the API's methods and the headers a client reads.</summary>
internal static class CorsSetup
{
    public static IServiceCollection AddConfiguredCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddSettings<CorsOriginOptions, CorsOrigins>();
        services.AddOptions<CorsOptions>().Configure<CorsOrigins>((o, cors) =>
        {
            o.AddDefaultPolicy(p => p.WithOrigins([.. cors.Origins]).AllowAnyHeader().WithMethods("GET", "PUT", "PATCH", "POST", "DELETE")
                .WithExposedHeaders("ETag", "Location", "Retry-After"));
        });
        return services;
    }
}
