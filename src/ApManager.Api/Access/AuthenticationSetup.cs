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
        var configuration = services.GetRequiredService<IConfiguration>();
        var auth = configuration.GetSection("ApManager:Auth");
        var jwt = auth.GetSection("Jwt");
        var jwtConfigured = !string.IsNullOrWhiteSpace(jwt["Authority"]) || !string.IsNullOrWhiteSpace(jwt["SigningKey"]);
        var keys = new List<ApiKey>();
        var errors = new List<string>();
        foreach (var item in auth.GetSection("ApiKeys").GetChildren())
        {
            var name = item["Name"];
            var role = item["Role"]?.ToLowerInvariant();
            if (string.IsNullOrWhiteSpace(name))
            {
                errors.Add($"{item.Path}:Name is missing.");
            }
            else if (!Roles.IsRole(role))
            {
                errors.Add($"{item.Path}:Role = '{item["Role"]}': use viewer, operator or admin.");
            }
            else if (!ApiKeyStore.TryParseHash(item["Hash"], out var hash))
            {
                errors.Add($"{item.Path}:Hash: give 'sha256:' and 64 hex digits (the SHA-256 of the key; the key itself is never configured).");
            }
            else
            {
                keys.Add(new ApiKey(name, role!, hash));
            }
        }
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid ApManager:Auth configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors));
        }
        if (keys.Count == 0 && !jwtConfigured)
        {
            var storagePath = services.GetRequiredService<StorageSettings>().Path;
            keys.Add(FirstRunKey.LoadOrCreate(storagePath, services.GetRequiredService<ILoggerFactory>().CreateLogger("ApManager.Access")));
        }
        return new ApiKeyStore(keys, jwtConfigured);
    }
}
