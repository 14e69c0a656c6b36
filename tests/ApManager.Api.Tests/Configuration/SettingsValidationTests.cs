using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Configuration;

/// <summary>Every section is validated at start: a wrong value stops the service with a message naming its full key.</summary>
public class SettingsValidationTests
{
    /// <summary>"key=value;key=value" as settings (InlineData cannot hold a dictionary).</summary>
    private static Dictionary<string, string?> Settings(string pairs) => pairs.Split(';').ToDictionary(
        pair => pair[..pair.IndexOf('=', StringComparison.Ordinal)],
        pair => (string?)pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    private static async Task<string> StartFailureAsync(Dictionary<string, string?> settings)
    {
        await using var app = new ApManagerApplication(settings);
        var refused = Assert.Throws<InvalidOperationException>(() => app.CreateClient());
        Assert.StartsWith("Invalid ApManager configuration:", refused.Message, StringComparison.Ordinal);
        return refused.Message;
    }

    [Theory]
    [InlineData("ApManager:Seed=x", "ApManager:Seed = 'x': use 'demo' or 'none'.")]
    [InlineData("ApManager:MaxMdevs=0", "ApManager:MaxMdevs = '0': use an integer 1..65536.")]
    [InlineData("ApManager:MaxMdevs=many", "ApManager:MaxMdevs = 'many': use an integer 1..65536.")]
    [InlineData("ApManager:Storage:Mode=disk", "ApManager:Storage:Mode = 'disk': use 'sqlite' (durable, the default) or 'memory' (nothing survives a restart).")]
    [InlineData("ApManager:Storage:Path=", "ApManager:Storage:Path is empty: give a file path for the database.")]
    [InlineData("ApManager:Host:MaxAdapterId=256", "ApManager:Host:MaxAdapterId = '256': use an integer 0..255.")]
    [InlineData("ApManager:Host:MaxDomainId=300", "ApManager:Host:MaxDomainId = '300': use an integer 0..255.")]
    [InlineData("ApManager:Host:MaxDomainId=50", "ApManager:Host:ControlDomains = '0-84': '0-84' exceeds the maximum id 50 (entries are decimal N or N-M, at most MaxDomainId 50).")]
    [InlineData("ApManager:Host:UsageDomains=4-2", "ApManager:Host:UsageDomains = '4-2': '4-2': 4 > 2 (entries are decimal N or N-M, at most MaxDomainId 84).")]
    [InlineData("ApManager:Host:ControlDomains:0=1;ApManager:Host:ControlDomains:1=x", "ApManager:Host:ControlDomains = '1,x': 'x' is not N or N-M (entries are decimal N or N-M, at most MaxDomainId 84).")]
    [InlineData("ApManager:Host:Adapters:0:Id=3;ApManager:Host:Adapters:0:Type=CEX9C", "ApManager:Host:Adapters:0:Type = 'CEX9C': use CEX<n><m> with n 4..8 and m A (accel), C (cca) or P (ep11).")]
    [InlineData("ApManager:Host:Adapters:4:Id=64;ApManager:Host:Adapters:4:Type=CEX8C", "ApManager:Host:Adapters:4:Id = '64': use an integer 0..63 (MaxAdapterId).")]
    [InlineData("ApManager:Host:Adapters:0:Id=3;ApManager:Host:Adapters:0:Type=CEX8C;ApManager:Host:Adapters:1:Id=3;ApManager:Host:Adapters:1:Type=CEX8P", "ApManager:Host:Adapters:1:Id = 3: adapter ids must be unique.")]
    [InlineData("ApManager:Host:Adapters:0:Id=3;ApManager:Host:Adapters:0:Type=CEX8C;ApManager:Host:Adapters:0:Mode=ep11", "ApManager:Host:Adapters:0:Mode = 'ep11': must be cca to match type CEX8C.")]
    [InlineData("ApManager:Host:Adapters:0:Id=3;ApManager:Host:Adapters:0:Type=CEX8C;ApManager:Host:Adapters:0:Configured=yes", "ApManager:Host:Adapters:0:Configured = 'yes': use true or false.")]
    [InlineData("ApManager:Host:MaxAdapterId=5", "ApManager:Host: Adapter id 6 is outside 0..5.")]
    [InlineData("ApManager:Host:MaxAdapterId=5;ApManager:Host:Adapters:0:Id=3;ApManager:Host:Adapters:0:Type=CEX8C", "ApManager:Seed: Seed 'demo' needs MaxAdapterId >= 6 and MaxDomainId >= 71 (have 5 and 84).")]
    [InlineData("ApManager:Host:Mode=real", "ApManager:Host:Mode = 'real': use 'simulated' (the demo host, the default) or 'sysfs' (this machine's AP bus).")]
    [InlineData("ApManager:Host:Mode=sysfs;ApManager:Host:Root=sys", "ApManager:Host:Root = 'sys': use an absolute directory, '/' on a real host.")]
    [InlineData("ApManager:Host:Mode=sysfs;ApManager:Host:PollSeconds=0.1", "ApManager:Host:PollSeconds = '0.1': use a number of seconds 0.2..60 (default 2).")]
    [InlineData("ApManager:Host:Mode=sysfs;ApManager:Host:PollSeconds=2s", "ApManager:Host:PollSeconds = '2s': use a number of seconds 0.2..60 (default 2).")]
    [InlineData("ApManager:Auth:ApiKeys:7:Role=admin", "ApManager:Auth:ApiKeys:7:Name is missing.")]
    [InlineData("ApManager:Auth:ApiKeys:1:Role=boss", "ApManager:Auth:ApiKeys:1:Role = 'boss': use viewer, operator or admin.")]
    [InlineData("ApManager:Auth:ApiKeys:2:Hash=sha256:abc", "ApManager:Auth:ApiKeys:2:Hash: give 'sha256:' and 64 hex digits (the SHA-256 of the key; the key itself is never configured).")]
    [InlineData("ApManager:Auth:Jwt:RequireHttpsMetadata=maybe", "ApManager:Auth:Jwt:RequireHttpsMetadata = 'maybe': use true or false.")]
    [InlineData("ApManager:Auth:Jwt:SigningKey=not base64!", "ApManager:Auth:Jwt:SigningKey is not base64: give the HMAC key base64-encoded, such as the output of 'openssl rand -base64 32'.")]
    [InlineData("ApManager:Auth:Jwt:Authority=not a url", "ApManager:Auth:Jwt:Authority = 'not a url': use the identity provider's absolute URL, such as https://login.example/realm.")]
    [InlineData("ApManager:Auth:Jwt:Authority=http://idp.example", "ApManager:Auth:Jwt:Authority = 'http://idp.example': use https, or set ApManager:Auth:Jwt:RequireHttpsMetadata=false (development only).")]
    [InlineData("ApManager:Auth:Jwt:Audience=apmanager;ApManager:Auth:Jwt:NameClaim=email", "ApManager:Auth:Jwt:Audience, ApManager:Auth:Jwt:NameClaim: used only with ApManager:Auth:Jwt:Authority or ApManager:Auth:Jwt:SigningKey; give one of them to accept JWTs.")]
    [InlineData("ApManager:RateLimit:MutationsPerSecond=abc", "ApManager:RateLimit:MutationsPerSecond = 'abc': use an integer 0..1000000.")]
    [InlineData("ApManager:RateLimit:Burst=-1", "ApManager:RateLimit:Burst = '-1': use an integer 0..1000000.")]
    [InlineData("ApManager:Cors:Origins=https://hmc.example, not a url", "ApManager:Cors:Origins = 'not a url': use an origin as a browser sends it: http(s)://host[:port], no path, such as https://hmc.example.")]
    [InlineData("ApManager:Cors:Origins:0=https://hmc.example/console", "ApManager:Cors:Origins = 'https://hmc.example/console': use an origin as a browser sends it")]
    [InlineData("ApManager:Metrics:Enabled=flase", "ApManager:Metrics:Enabled = 'flase': use true or false.")]
    [InlineData("ApManager:Metrics:RequireAuth=1", "ApManager:Metrics:RequireAuth = '1': use true or false.")]
    public async Task AWrongValueStopsTheStartNamingItsKey(string settings, string expected)
    {
        var message = await StartFailureAsync(Settings(settings));

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ApManager:RateLimit:MutationsPerSec=10", "ApManager:RateLimit:MutationsPerSec is not a setting: ApManager:RateLimit takes MutationsPerSecond, Burst.")]
    [InlineData("ApManager:Sead=none", "ApManager:Sead is not a setting: ApManager takes Seed, MaxMdevs, ")]
    [InlineData("ApManager:Storage:File=/tmp/x.db", "ApManager:Storage:File is not a setting: ApManager:Storage takes Mode, Path.")]
    [InlineData("ApManager:Host:Adapters:0:Id=3;ApManager:Host:Adapters:0:Type=CEX8C;ApManager:Host:Adapters:0:Online=true", "ApManager:Host:Adapters:0:Online is not a setting: ApManager:Host:Adapters:0 takes Id, Type, Mode, Configured.")]
    [InlineData("ApManager:Host:Adapters:0=CEX8C", "ApManager:Host:Adapters:0 must be a section with Id, Type, Mode, Configured, not a single value.")]
    [InlineData("ApManager:Auth:ApiKeys:0:Key=x", "ApManager:Auth:ApiKeys:0:Key is not a setting: ApManager:Auth:ApiKeys:0 takes Name, Role, Hash.")]
    [InlineData("ApManager:Auth:Jwt:Audiences=apmanager", "ApManager:Auth:Jwt:Audiences is not a setting: ApManager:Auth:Jwt takes Authority, Audience, RoleClaim, NameClaim, RequireHttpsMetadata, SigningKey, Issuer.")]
    [InlineData("ApManager:Cors:Origin=https://hmc.example", "ApManager:Cors:Origin is not a setting: ApManager:Cors takes Origins.")]
    [InlineData("ApManager:Metrics=false", "ApManager:Metrics must be a section with Enabled, RequireAuth, not a single value.")]
    public async Task AKeyNothingReadsStopsTheStartNamingIt(string settings, string expected)
    {
        var message = await StartFailureAsync(Settings(settings));

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ApManager:Auth:Jwt:SigningKy=c2VjcmV0LWtleQ==", "ApManager:Auth:Jwt:SigningKy is not a setting", "c2VjcmV0LWtleQ==")]
    [InlineData("ApManager:Auth:Jwt:SigningKey=s3cret-but-not-base64!", "ApManager:Auth:Jwt:SigningKey is not base64", "s3cret")]
    public async Task AMisspeltKeyOrASigningKeyThatIsNotBase64IsNamedButItsValueIsNotEchoed(string settings, string expected, string secret)
    {
        var message = await StartFailureAsync(Settings(settings));

        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryWrongValueIsReportedAtOnce()
    {
        var message = await StartFailureAsync(Settings("ApManager:Seed=x;ApManager:Storage:Mode=disk;ApManager:Host:MaxDomainId=300"));

        Assert.Contains("ApManager:Seed = 'x'", message, StringComparison.Ordinal);
        Assert.Contains("ApManager:Storage:Mode = 'disk'", message, StringComparison.Ordinal);
        Assert.Contains("ApManager:Host:MaxDomainId = '300'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DomainsAsListItemsAndAdaptersUnderAnyIndexAreRead()
    {
        await using var app = new ApManagerApplication(Settings(
            "ApManager:Seed=None;ApManager:Storage:Mode=MEMORY;ApManager:Host:Adapters:2:Id=10;ApManager:Host:Adapters:2:Type=cex6p;" +
            "ApManager:Host:Adapters:2:Mode=EP11;ApManager:Host:Adapters:2:Configured=TRUE;ApManager:Host:UsageDomains:0=1;ApManager:Host:UsageDomains:1=3-4"));
        using var client = app.CreateClient();

        var adapters = await GetArrayAsync(client, "/api/adapters");

        Assert.Equal([10], adapters.Select(a => (int)a!["id"]!));
        Assert.Equal("ep11", (string?)adapters[0]!["mode"]);
        Assert.Equal(["0a.0001", "0a.0003", "0a.0004"], Strings(adapters[0]!["queues"]));
    }

    [Fact]
    public async Task CorsOriginsAsOneCommaSeparatedValueAreEachAllowed()
    {
        await using var app = new ApManagerApplication(Settings("ApManager:Cors:Origins=https://hmc.example, http://localhost:5173"));
        using var client = app.CreateClient();

        foreach (var origin in new[] { "https://hmc.example", "http://localhost:5173" })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/bus/apmask");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "PUT");
            using var allowed = await client.SendAsync(preflight);
            Assert.Equal(origin, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
    }

    [Theory]
    [InlineData("false")]
    [InlineData("FALSE")]
    public async Task MetricsEnabledFalseRemovesTheEndpoint(string enabled)
    {
        await using var app = new ApManagerApplication(Settings($"ApManager:Metrics:Enabled={enabled}"));
        using var client = app.CreateClient();

        using var metrics = await client.GetAsync("/metrics");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, metrics.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/bus")).StatusCode);
    }

    [Fact]
    public async Task AnHttpAuthorityStartsWhenHttpsMetadataIsExplicitlyNotRequired()
    {
        await using var app = new ApManagerApplication(Settings(
            "ApManager:Auth:Jwt:Authority=http://idp.example/realm;ApManager:Auth:Jwt:RequireHttpsMetadata=False;ApManager:Auth:Jwt:Audience=apmanager"));
        using var client = app.CreateClient();

        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/bus")).StatusCode);
    }
}
