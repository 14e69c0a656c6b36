using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text;
using System.Threading.RateLimiting;
using ApManager.Api.Configuration;
using ApManager.Api.Problems;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.IdentityModel.Tokens;

namespace ApManager.Api.Access;

/// <summary>
/// Authentication (API keys and JWT bearer tokens, both as <c>Authorization: Bearer</c>), roles,
/// the first-run admin key, rate limiting of mutations, CORS and security headers.
/// </summary>
public static class AccessSetup
{
    public const string BearerScheme = "ApiKeyOrJwt";
    public const string JwtScheme = "Jwt";
    public const string MutationLimiter = "mutations";
    public const string GeneratedKeysFile = "api-keys.json";
    public const string GeneratedKeyFile = "admin.key";

    /// <summary>The bearer token of a request; the SSE stream may also pass it as <c>access_token</c>, since EventSource cannot set headers.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            return token.Length > 0 ? token : null;
        }
        if (request.Path.StartsWithSegments("/api/events") && request.Query["access_token"].ToString() is { Length: > 0 } query)
        {
            return query;
        }
        return null;
    }

    /// <summary>
    /// Registers authentication, roles, rate limiting and CORS. Every option is read from
    /// configuration when first needed, so hosts that add configuration late (tests) are honoured.
    /// </summary>
    public static IServiceCollection AddApManagerAccess(this IServiceCollection services)
    {
        services.AddSingleton(sp => LoadKeys(sp, Section(sp.GetRequiredService<IConfiguration>()).GetSection("Auth"), JwtConfigured(sp.GetRequiredService<IConfiguration>())));
        services.AddAuthentication(BearerScheme)
            .AddPolicyScheme(BearerScheme, "API key or JWT", o => o.ForwardDefaultSelector = context =>
                context.RequestServices.GetRequiredService<ApiKeyStore>().JwtConfigured &&
                BearerToken(context.Request) is { } token && token.Count(c => c == '.') == 2
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
        services.AddOptions<JwtBearerOptions>(JwtScheme).Configure<IConfiguration>((o, configuration) =>
        {
            var jwt = Section(configuration).GetSection("Auth:Jwt");
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
                    context.Token = BearerToken(context.Request);
                    return Task.CompletedTask;
                },
            };
        });

        services.AddAuthorization(o =>
        {
            foreach (var role in Roles.All)
            {
                o.AddPolicy(role, p => p.RequireAuthenticatedUser().RequireRole(Roles.AtLeast(role)));
            }
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IConfiguration>((o, configuration) =>
        {
            var limits = Section(configuration).GetSection("RateLimit");
            var perSecond = int.TryParse(limits["MutationsPerSecond"], NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 50;
            var burst = int.TryParse(limits["Burst"], NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : 100;
            o.AddPolicy(MutationLimiter, context =>
            {
                var caller = context.User.Identity?.IsAuthenticated == true
                    ? "user:" + context.User.Identity.Name
                    : "ip:" + context.Connection.RemoteIpAddress;
                return perSecond <= 0
                    ? RateLimitPartition.GetNoLimiter(caller)
                    : RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = Math.Max(burst, 1),
                        TokensPerPeriod = perSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            o.OnRejected = async (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
                await ProblemFactory.RateLimited(context.HttpContext, retry).ExecuteAsync(context.HttpContext);
            };
        });

        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IConfiguration>((o, configuration) =>
        {
            var cors = Section(configuration).GetSection("Cors:Origins");
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

    private static IConfigurationSection Section(IConfiguration configuration) => configuration.GetSection(ApManagerConfiguration.Section);

    private static bool JwtConfigured(IConfiguration configuration)
    {
        var jwt = configuration.GetSection($"{ApManagerConfiguration.Section}:Auth:Jwt");
        return !string.IsNullOrWhiteSpace(jwt["Authority"]) || !string.IsNullOrWhiteSpace(jwt["SigningKey"]);
    }

    public static WebApplication UseApManagerAccess(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/swagger")
                ? "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
                : "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                headers.CacheControl = "no-store";
            }
            await next();
        });
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Marks an endpoint as a mutation: it needs at least <paramref name="role"/> and counts against the caller's rate limit.</summary>
    public static RouteHandlerBuilder Mutation(this RouteHandlerBuilder builder, string role) => builder
        .RequireAuthorization(role)
        .RequireRateLimiting(MutationLimiter)
        .ProducesProblemType(ProblemCatalog.Unauthenticated)
        .ProducesProblemType(ProblemCatalog.Forbidden)
        .ProducesProblemType(ProblemCatalog.RateLimited)
        .WithMetadata(new RequiredRoleMetadata(role));

    /// <summary>Marks a read: any authenticated caller (viewer and up).</summary>
    public static TBuilder Read<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder => builder
        .RequireAuthorization(Roles.Viewer)
        .WithMetadata(new RequiredRoleMetadata(Roles.Viewer));

    /// <summary>
    /// Refuses to listen beyond loopback without a configured credential: a generated first-run key is
    /// only good enough for a service nobody else can reach.
    /// </summary>
    public static void CheckExposure(IConfiguration configuration)
    {
        var auth = configuration.GetSection($"{ApManagerConfiguration.Section}:Auth");
        var configured = auth.GetSection("ApiKeys").GetChildren().Any() || !string.IsNullOrWhiteSpace(auth["Jwt:Authority"]) || !string.IsNullOrWhiteSpace(auth["Jwt:SigningKey"]);
        if (configured)
        {
            return;
        }
        var urls = (configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        foreach (var url in urls)
        {
            if (!IsLoopback(url))
            {
                throw new InvalidOperationException(
                    $"Refusing to listen on {url} without credentials: anyone who reaches it could change the AP configuration. " +
                    "Configure ApManager:Auth:ApiKeys (name, role, sha256 hash) or ApManager:Auth:Jwt, or listen on 127.0.0.1 only.");
            }
        }
    }

    private static bool IsLoopback(string url)
    {
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var host = rest.StartsWith('[') ? rest[1..rest.IndexOf(']')] : rest.Split(':', '/')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static ApiKeyStore LoadKeys(IServiceProvider services, IConfigurationSection auth, bool jwtConfigured)
    {
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
            keys.Add(FirstRunKey(services));
        }
        return new ApiKeyStore(keys, jwtConfigured);
    }

    /// <summary>
    /// With no credential configured, the first start creates one admin key, keeps only its hash
    /// (api-keys.json next to the database) and shows the key once: on the console and in admin.key (mode 0600).
    /// </summary>
    private static ApiKey FirstRunKey(IServiceProvider services)
    {
        var settings = services.GetRequiredService<ApManagerConfiguration.Settings>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("ApManager.Access");
        var dir = Path.GetDirectoryName(Path.GetFullPath(settings.StoragePath ?? ApManagerConfiguration.DefaultStoragePath))!;
        var hashFile = Path.Combine(dir, GeneratedKeysFile);
        if (settings.StoragePath is not null && File.Exists(hashFile))
        {
            var stored = JsonSerializer.Deserialize<StoredKey>(File.ReadAllText(hashFile), JsonSerializerOptions.Web);
            if (stored is not null && ApiKeyStore.TryParseHash(stored.Hash, out var hash) && Roles.IsRole(stored.Role))
            {
                logger.LogInformation("Using the admin key created on first start (hash in {File})", hashFile);
                return new ApiKey(stored.Name, stored.Role, hash);
            }
            throw new InvalidOperationException($"{hashFile} is damaged; delete it (and {GeneratedKeyFile}) to create a new admin key.");
        }
        var key = ApiKeyStore.NewKey();
        var created = new StoredKey("admin", Roles.Admin, ApiKeyStore.HashText(key));
        if (settings.StoragePath is not null)
        {
            Directory.CreateDirectory(dir);
            WritePrivate(hashFile, JsonSerializer.Serialize(created, JsonSerializerOptions.Web));
            WritePrivate(Path.Combine(dir, GeneratedKeyFile), key + "\n");
        }
        logger.LogWarning(
            "No credentials were configured, so an admin API key was created. It is shown once: {ApiKey} (also in {KeyFile}, mode 0600). " +
            "Send it as 'Authorization: Bearer <key>'.",
            key, settings.StoragePath is null ? "(memory mode: nowhere)" : Path.Combine(dir, GeneratedKeyFile));
        ApiKeyStore.TryParseHash(created.Hash, out var createdHash);
        return new ApiKey(created.Name, created.Role, createdHash);
    }

    private static void WritePrivate(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(content));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private sealed record StoredKey(string Name, string Role, string Hash);

    /// <summary>Writes 401 and 403 as problems.</summary>
    private sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if (authorizeResult.Challenged || (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated != true))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await ProblemFactory.Unauthenticated(context,
                    BearerToken(context.Request) is null
                        ? "Send 'Authorization: Bearer <API key or token>'."
                        : "The API key or token is not valid.").ExecuteAsync(context);
                return;
            }
            if (authorizeResult.Forbidden)
            {
                var needed = context.GetEndpoint()?.Metadata.GetMetadata<RequiredRoleMetadata>()?.Role ?? "a stronger role";
                await ProblemFactory.Forbidden(context,
                    $"'{context.User.Identity?.Name}' may not do this; it needs the {needed} role.", needed).ExecuteAsync(context);
                return;
            }
            await _default.HandleAsync(next, context, policy, authorizeResult);
        }
    }
}

/// <summary>The least role an endpoint needs (for 403 details and the route-enumeration test).</summary>
public sealed record RequiredRoleMetadata(string Role);
