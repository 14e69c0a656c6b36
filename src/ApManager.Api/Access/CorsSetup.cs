using ApManager.Api.Configuration;
using Microsoft.AspNetCore.Cors.Infrastructure;

namespace ApManager.Api.Access;

/// <summary>CORS for dashboards on other origins: only the configured origins, the API's methods and the headers a client reads.</summary>
internal static class CorsSetup
{
    public static IServiceCollection AddConfiguredCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IConfiguration>((o, configuration) =>
        {
            var cors = configuration.GetSection("ApManager:Cors:Origins");
            var origins = cors.GetChildren().Select(c => c.Value).OfType<string>().ToArray();
            if (origins.Length == 0 && cors.Value is { Length: > 0 } list)
            {
                origins = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            }
            o.AddDefaultPolicy(p => p.WithOrigins(origins).AllowAnyHeader().WithMethods("GET", "PUT", "PATCH", "POST", "DELETE")
                .WithExposedHeaders("ETag", "Location", "Retry-After"));
        });
        return services;
    }
}
