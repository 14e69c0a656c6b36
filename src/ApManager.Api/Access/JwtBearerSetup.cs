using ApManager.Api.Configuration;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace ApManager.Api.Access;

/// <summary>How a JWT is validated: the identity provider (Authority) or an offline signing key, audience, issuer and claim names.</summary>
internal static class JwtBearerSetup
{
    public static IServiceCollection ConfigureJwtBearer(this IServiceCollection services, string scheme)
    {
        services.AddOptions<JwtBearerOptions>(scheme).Configure<IConfiguration>((o, configuration) =>
        {
            var jwt = configuration.GetSection("ApManager:Auth:Jwt");
            o.MapInboundClaims = false;
            o.Authority = NullIfEmpty(jwt["Authority"]);
            o.Audience = NullIfEmpty(jwt["Audience"]);
            o.RequireHttpsMetadata = !bool.TryParse(jwt["RequireHttpsMetadata"], out var https) || https;
            o.TokenValidationParameters.NameClaimType = jwt["NameClaim"] ?? "sub";
            o.TokenValidationParameters.RoleClaimType = jwt["RoleClaim"] ?? "roles";
            o.TokenValidationParameters.ValidAudience = NullIfEmpty(jwt["Audience"]);
            o.TokenValidationParameters.ValidateAudience = !string.IsNullOrWhiteSpace(jwt["Audience"]);
            if (NullIfEmpty(jwt["SigningKey"]) is { } key)
            {
                // An offline signing key (development, tests, air-gapped IdPs): no metadata fetch.
                o.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(key));
                o.TokenValidationParameters.ValidIssuer = NullIfEmpty(jwt["Issuer"]);
                o.TokenValidationParameters.ValidateIssuer = !string.IsNullOrWhiteSpace(jwt["Issuer"]);
            }
            o.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    context.Token = BearerToken.From(context.Request);
                    return Task.CompletedTask;
                },
            };
        });
        return services;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
