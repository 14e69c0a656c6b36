using ApManager.Api.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

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
        services.AddAuthentication().AddJwtBearer(JwtScheme, _ => { });
        services.AddSingleton<IAuthenticationSchemeProvider, NamedSchemesOnly>();
        services.WithoutDataProtectionAtStart();
        services.ConfigureJwtBearer(JwtScheme);
        return services;
    }

    /// <summary>
    /// <c>AddAuthentication</c> brings ASP.NET Core data protection along, and its hosted service
    /// builds a key ring at start: it wrote a key to <c>$HOME/.aspnet/DataProtection-Keys</c> with a
    /// warning that the key is unencrypted (or, under the unit's <c>ProtectHome=yes</c>, warned that
    /// keys live in memory), loading the XML stack for it. Nothing here protects data (no cookies, no
    /// antiforgery tokens; JWTs are validated, not issued), so the hosted service is not run.
    /// </summary>
    private static void WithoutDataProtectionAtStart(this IServiceCollection services)
    {
        var dataProtection = typeof(Microsoft.AspNetCore.DataProtection.DataProtectionOptions).Assembly;
        foreach (var hosted in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Assembly == dataProtection).ToList())
        {
            services.Remove(hosted);
        }
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

    /// <summary>
    /// No default scheme, not even the one the framework picks when a single scheme is registered:
    /// <see cref="AccessControl"/> asks for the JWT handler by name, and only for a token that looks
    /// like a JWT. With JwtBearer as the implicit default, the authentication middleware parsed every
    /// API key as a JWT first (a perf profile of a refused write: the failed parse at 8% of the CPU).
    /// </summary>
    private sealed class NamedSchemesOnly(IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
    {
        // One completed task, not one per request (the authentication middleware asks on every call).
        private static readonly Task<AuthenticationScheme?> None = Task.FromResult<AuthenticationScheme?>(null);

        public override Task<AuthenticationScheme?> GetDefaultAuthenticateSchemeAsync() => None;

        public override Task<AuthenticationScheme?> GetDefaultChallengeSchemeAsync() => None;

        public override Task<AuthenticationScheme?> GetDefaultForbidSchemeAsync() => None;

        public override Task<AuthenticationScheme?> GetDefaultSignInSchemeAsync() => None;

        public override Task<AuthenticationScheme?> GetDefaultSignOutSchemeAsync() => None;

        // The authentication middleware asks on every request; the schemes are fixed once the host
        // is built (none of them handles requests itself), so one task serves every request.
        private Task<IEnumerable<AuthenticationScheme>>? _requestHandlers;

        public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync() =>
            _requestHandlers ??= base.GetRequestHandlerSchemesAsync();

        public override bool TryAddScheme(AuthenticationScheme scheme)
        {
            _requestHandlers = null;
            return base.TryAddScheme(scheme);
        }

        public override void RemoveScheme(string name)
        {
            _requestHandlers = null;
            base.RemoveScheme(name);
        }
    }
}
