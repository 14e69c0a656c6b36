using ApManager.Api.Configuration;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace ApManager.Api.Access;

/// <summary>How a JWT is validated: the identity provider (Authority) or an offline signing key, audience, issuer and claim names.</summary>
internal static class JwtBearerSetup
{
    public static IServiceCollection ConfigureJwtBearer(this IServiceCollection services, string scheme)
    {
        services.AddOptions<JwtBearerOptions>(scheme).Configure<AuthSettings>((o, auth) =>
        {
            o.MapInboundClaims = false;
            o.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    context.Token = BearerToken.From(context.Request);
                    return Task.CompletedTask;
                },
            };
            if (auth.Jwt is not { } jwt)
            {
                return; // JWTs are not accepted: the policy scheme never picks this one.
            }
            o.Authority = jwt.Authority;
            o.Audience = jwt.Audience;
            o.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
            o.TokenValidationParameters.NameClaimType = jwt.NameClaim;
            o.TokenValidationParameters.RoleClaimType = jwt.RoleClaim;
            o.TokenValidationParameters.ValidAudience = jwt.Audience;
            o.TokenValidationParameters.ValidateAudience = jwt.Audience is not null;
            if (jwt.SigningKey is { } key)
            {
                // An offline signing key (development, tests, air-gapped IdPs): no metadata fetch.
                o.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(key);
                o.TokenValidationParameters.ValidIssuer = jwt.Issuer;
                o.TokenValidationParameters.ValidateIssuer = jwt.Issuer is not null;
            }
        });
        return services;
    }
}
