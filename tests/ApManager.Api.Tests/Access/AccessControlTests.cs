using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ApManager.Api.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ApManager.Api.Tests.Access;

public class AccessControlTests
{
    /// <summary>Every mutating route, found from the endpoint data source so a new route cannot slip through.</summary>
    private static List<(string Method, string Path, string? Role)> MutatingRoutes(ApManagerApplication app)
    {
        var sources = app.Services.GetServices<EndpointDataSource>();
        var routes = new List<(string, string, string?)>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [];
            foreach (var method in methods.Where(m => m is not ("GET" or "HEAD" or "OPTIONS")))
            {
                var path = "/" + endpoint.RoutePattern.RawText!.TrimStart('/')
                    .Replace("{uuid}", ApManagerApplication.DeviceB, StringComparison.Ordinal)
                    .Replace("{id}", "7", StringComparison.Ordinal)
                    .Replace("{apqn}", "05.0004", StringComparison.Ordinal);
                var roles = endpoint.Metadata.GetOrderedMetadata<RequiredRoleMetadata>().Select(r => r.Role).ToList();
                var role = roles.Contains(Roles.Admin) ? Roles.Admin : roles.Contains(Roles.Operator) ? Roles.Operator : roles.FirstOrDefault();
                routes.Add((method, path, role));
            }
        }
        return routes;
    }

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = new StringContent("{}", Encoding.UTF8, "application/json"),
    };

    [Fact]
    public async Task EveryMutatingRouteAnswers401WithoutCredentialsAnd403ForAViewerAndChangesNothing()
    {
        await using var app = new ApManagerApplication();
        using var admin = app.CreateClient();
        var before = await ApManagerApplication.StateAsync(admin);
        var routes = MutatingRoutes(app);
        Assert.True(routes.Count >= 15, $"only {routes.Count} mutating routes found");

        using var anonymous = app.CreateClient(null);
        using var viewer = app.CreateClient(ApManagerApplication.ViewerKey);
        foreach (var (method, path, role) in routes)
        {
            Assert.True(role is Roles.Operator or Roles.Admin, $"{method} {path} declares no operator/admin role");
            var unauthenticated = await anonymous.SendAsync(Request(method, path));
            var problem = await ApManagerApplication.AssertProblemAsync(unauthenticated, 401, "/problems/unauthenticated");
            Assert.Equal("Bearer", unauthenticated.Headers.WwwAuthenticate.Single().Scheme);
            var forbidden = await viewer.SendAsync(Request(method, path));
            problem = await ApManagerApplication.AssertProblemAsync(forbidden, 403, "/problems/forbidden");
            Assert.Equal(role, (string?)problem["requiredRole"]);
        }
        Assert.Equal(before, await ApManagerApplication.StateAsync(admin));
    }

    [Fact]
    public async Task AnOperatorManagesMatrixDevicesButNotMasks()
    {
        await using var app = new ApManagerApplication();
        using var operatorClient = app.CreateClient(ApManagerApplication.OperatorKey);
        var created = await operatorClient.PostAsync("/api/mdevs", ApManagerApplication.Json("{\"name\":\"op\"}"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var mask = await ApManagerApplication.PutMaskAsync(operatorClient, "apmask", "-3");
        await ApManagerApplication.AssertProblemAsync(mask, 403, "/problems/forbidden");
    }

    [Fact]
    public async Task ReadsNeedAnyRoleAndHealthSwaggerAndProblemsStayAnonymous()
    {
        await using var app = new ApManagerApplication();
        using var anonymous = app.CreateClient(null);
        await ApManagerApplication.AssertProblemAsync(await anonymous.GetAsync("/api/bus"), 401, "/problems/unauthenticated");
        using var viewer = app.CreateClient(ApManagerApplication.ViewerKey);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/bus")).StatusCode);
        foreach (var path in new[] { "/health/live", "/health/ready", "/swagger/v1/swagger.json", "/problems/forbidden" })
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task AWrongKeyIs401AndTheAuditRecordsTheAuthenticatedActor()
    {
        await using var app = new ApManagerApplication();
        using var wrong = app.CreateClient("not-a-key");
        var refused = await ApManagerApplication.PutMaskAsync(wrong, "apmask", "-3");
        var problem = await ApManagerApplication.AssertProblemAsync(refused, 401, "/problems/unauthenticated");
        Assert.Contains("not valid", (string?)problem["detail"]);

        using var admin = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await ApManagerApplication.PutMaskAsync(admin, "apmask", "-3")).StatusCode);
        var audit = await ApManagerApplication.ReadArrayAsync(await admin.GetAsync("/api/audit"));
        Assert.Equal("test-admin", (string?)audit.Last()!["actor"]);
    }

    [Fact]
    public async Task MutationsBeyondTheRateLimitAre429WithRetryAfterAndChangeNothing()
    {
        await using var app = new ApManagerApplication(new Dictionary<string, string?>
        {
            ["ApManager:RateLimit:MutationsPerSecond"] = "1",
            ["ApManager:RateLimit:Burst"] = "2",
            ["ApManager:Storage:Mode"] = "memory",
        });
        using var client = app.CreateClient();
        // Burst 2, then one per second. The bucket refills on a timer, so on a loaded machine (the browser
        // tests run beside these) a refill may land between two writes: keep writing, bounded, until refused.
        var accepted = 0;
        System.Text.Json.Nodes.JsonObject? written = null;
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 8 && limited is null; i++)
        {
            var response = await ApManagerApplication.PutMaskAsync(client, "apmask", i % 2 == 0 ? "-3" : "+3");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
                break;
            }
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            accepted++;
            written = await ApManagerApplication.ReadObjectAsync(response);
        }
        Assert.True(accepted >= 2, "the burst of 2 was not honoured");
        Assert.NotNull(limited);
        var problem = await ApManagerApplication.AssertProblemAsync(limited, 429, "/problems/rate-limited");
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.True((int?)problem["retryAfter"] >= 1);
        var bus = await ApManagerApplication.ReadObjectAsync(await client.GetAsync("/api/bus"));
        Assert.Equal((string?)written!["apmask"], (string?)bus["apmask"]);
        Assert.Equal((long?)written["version"], (long?)bus["version"]);
        // Reads are not rate limited.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/bus")).StatusCode);
    }

    [Fact]
    public async Task ResponsesCarrySecurityHeadersAndCorsAllowsOnlyConfiguredOrigins()
    {
        await using var app = new ApManagerApplication(new Dictionary<string, string?> { ["ApManager:Cors:Origins:0"] = "https://hmc.example" });
        using var client = app.CreateClient();
        var response = await client.GetAsync("/api/bus");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/bus/apmask");
        preflight.Headers.Add("Origin", "https://hmc.example");
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        var allowed = await client.SendAsync(preflight);
        Assert.Equal("https://hmc.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var other = new HttpRequestMessage(HttpMethod.Options, "/api/bus/apmask");
        other.Headers.Add("Origin", "https://evil.example");
        other.Headers.Add("Access-Control-Request-Method", "PUT");
        var denied = await client.SendAsync(other);
        Assert.False(denied.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AJwtFromTheConfiguredIssuerAuthenticatesWithItsRole()
    {
        var signingKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("a-test-signing-key-that-is-long-enough-for-hs256!"));
        await using var app = new ApManagerApplication(new Dictionary<string, string?>
        {
            ["ApManager:Auth:Jwt:SigningKey"] = signingKey,
            ["ApManager:Auth:Jwt:Issuer"] = "https://idp.example",
            ["ApManager:Auth:Jwt:Audience"] = "apmanager",
        });
        string Token(string role, string audience) => new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(
            new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
            {
                Issuer = "https://idp.example",
                Audience = audience,
                Claims = new Dictionary<string, object> { ["sub"] = "dashboard-user", ["roles"] = role },
                Expires = DateTime.UtcNow.AddMinutes(5),
                SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                    new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(Convert.FromBase64String(signingKey)),
                    Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
            });

        using var operatorClient = app.CreateClient(Token(Roles.Operator, "apmanager"));
        Assert.Equal(HttpStatusCode.Created, (await operatorClient.PostAsync("/api/mdevs", ApManagerApplication.Json("{}"))).StatusCode);
        await ApManagerApplication.AssertProblemAsync(await ApManagerApplication.PutMaskAsync(operatorClient, "apmask", "-3"), 403, "/problems/forbidden");
        var audit = await ApManagerApplication.ReadArrayAsync(await operatorClient.GetAsync("/api/audit"));
        Assert.Contains(audit, r => (string?)r!["actor"] == "dashboard-user" && (string?)r["action"] == "mdev.create");

        using var wrongAudience = app.CreateClient(Token(Roles.Admin, "someone-else"));
        await ApManagerApplication.AssertProblemAsync(await wrongAudience.GetAsync("/api/bus"), 401, "/problems/unauthenticated");
    }
}
