using ApManager.Api.Configuration;
using Microsoft.AspNetCore.Authentication;

namespace ApManager.Api.Access;

/// <summary>
/// Authentication: API keys and JWTs, both sent as <c>Authorization: Bearer</c>. A policy scheme
/// sends a token that looks like a JWT to the JWT handler and anything else to the API key handler.
/// </summary>
internal static class AuthenticationSetup
{
    public const string BearerScheme = "ApiKeyOrJwt";
    public const string JwtScheme = "Jwt";

    public static IServiceCollection AddApiKeyOrJwtAuthentication(this IServiceCollection services)
    {
        services.AddSettings<AuthOptions, AuthSettings>();
        services.AddSettings<StorageOptions, StorageSettings>();
        services.AddSingleton(CreateKeyStore);
        services.AddAuthentication(BearerScheme)
            .AddPolicyScheme(BearerScheme, "API key or JWT", o => o.ForwardDefaultSelector = context =>
                context.RequestServices.GetRequiredService<ApiKeyStore>().JwtConfigured &&
                BearerToken.From(context.Request) is { } token && BearerToken.LooksLikeJwt(token)
                    ? JwtScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(JwtScheme, _ => { });
        // Without JWT there is nothing to choose between: API keys are the default scheme, which
        // spares every request the policy scheme's forwarding (a second handler per request).
        services.AddOptions<AuthenticationOptions>().Configure<ApiKeyStore>((o, keys) =>
        {
            if (!keys.JwtConfigured)
            {
                o.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName;
            }
        });
        services.ConfigureJwtBearer(JwtScheme);
        return services;
    }

    /// <summary>The configured keys; with no credential configured at all, the first-run admin key.</summary>
    private static ApiKeyStore CreateKeyStore(IServiceProvider services)
    {
        var auth = services.GetRequiredService<AuthSettings>();
        if (auth.CredentialConfigured)
        {
            return new ApiKeyStore(auth.ApiKeys, auth.Jwt is not null);
        }
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("ApManager.Access");
        return new ApiKeyStore([FirstRunKey.LoadOrCreate(services.GetRequiredService<StorageSettings>().Path, logger)]);
    }
}
