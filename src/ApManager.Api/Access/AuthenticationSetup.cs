using ApManager.Api.Configuration;

namespace ApManager.Api.Access;

/// <summary>
/// Credentials: API keys (checked by <see cref="AccessControl"/> against their hashes) and, when
/// configured, JWTs validated by the framework's JwtBearer handler; both sent as <c>Authorization: Bearer</c>.
/// </summary>
internal static class AuthenticationSetup
{
    public const string JwtScheme = "Jwt";

    public static IServiceCollection AddApiKeyOrJwtAuthentication(this IServiceCollection services)
    {
        services.AddSettings<AuthOptions, AuthSettings>();
        services.AddSettings<StorageOptions, StorageSettings>();
        services.AddSingleton(CreateKeyStore);
        services.AddAuthentication(JwtScheme).AddJwtBearer(JwtScheme, _ => { });
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
