using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Mdevs;

/// <summary>If-Match and dryRun on every device mutation (and adapter configure), table-driven.</summary>
public class MdevPreconditionTests
{
    private const string DeviceC = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

    /// <summary>A mutation that changes something in the demo state, and the resource whose ETag it checks.</summary>
    public static TheoryData<string> Changes => new()
    {
        "create", "assign-domain", "unassign-domain", "unassign-adapter", "assign-control-domain", "unassign-control-domain",
        "config", "attach-guest", "detach-guest", "configure-adapter",
    };

    /// <summary>A mutation that would change nothing in the demo state.</summary>
    public static TheoryData<string> NoOps => new()
    {
        "assign-adapter-again", "unassign-domain-absent", "assign-control-domain-again", "config-equal", "attach-same-guest",
        "detach-no-guest", "configure-adapter-again",
    };

    private static (HttpMethod Method, string Path, string? Body, string ETagSource) Call(string name) => name switch
    {
        "create" => (HttpMethod.Post, "/api/mdevs", $$"""{"uuid":"{{DeviceC}}","name":"c"}""", "/api/mdevs"),
        "assign-domain" => (HttpMethod.Put, $"/api/mdevs/{DeviceB}/domains/71", null, $"/api/mdevs/{DeviceB}"),
        "unassign-domain" => (HttpMethod.Delete, $"/api/mdevs/{DeviceA}/domains/71", null, $"/api/mdevs/{DeviceA}"),
        "unassign-adapter" => (HttpMethod.Delete, $"/api/mdevs/{DeviceB}/adapters/6", null, $"/api/mdevs/{DeviceB}"),
        "assign-control-domain" => (HttpMethod.Put, $"/api/mdevs/{DeviceB}/control-domains/9", null, $"/api/mdevs/{DeviceB}"),
        "unassign-control-domain" => (HttpMethod.Delete, $"/api/mdevs/{DeviceA}/control-domains/71", null, $"/api/mdevs/{DeviceA}"),
        "config" => (HttpMethod.Put, $"/api/mdevs/{DeviceA}/config", """{"adapters":[5],"domains":[4,5],"controlDomains":[4]}""", $"/api/mdevs/{DeviceA}"),
        "attach-guest" => (HttpMethod.Put, $"/api/mdevs/{DeviceB}/guest", """{"name":"guest-b"}""", $"/api/mdevs/{DeviceB}"),
        "detach-guest" => (HttpMethod.Delete, $"/api/mdevs/{DeviceA}/guest", null, $"/api/mdevs/{DeviceA}"),
        "configure-adapter" => (HttpMethod.Put, "/api/adapters/5/configured", """{"configured":false}""", "/api/adapters/5"),
        "assign-adapter-again" => (HttpMethod.Put, $"/api/mdevs/{DeviceB}/adapters/6", null, $"/api/mdevs/{DeviceB}"),
        "unassign-domain-absent" => (HttpMethod.Delete, $"/api/mdevs/{DeviceB}/domains/71", null, $"/api/mdevs/{DeviceB}"),
        "assign-control-domain-again" => (HttpMethod.Put, $"/api/mdevs/{DeviceA}/control-domains/71", null, $"/api/mdevs/{DeviceA}"),
        "config-equal" => (HttpMethod.Put, $"/api/mdevs/{DeviceA}/config", """{"adapters":[5],"domains":[4,71],"controlDomains":[4,71]}""", $"/api/mdevs/{DeviceA}"),
        "attach-same-guest" => (HttpMethod.Put, $"/api/mdevs/{DeviceA}/guest", """{"name":"guest-a"}""", $"/api/mdevs/{DeviceA}"),
        "detach-no-guest" => (HttpMethod.Delete, $"/api/mdevs/{DeviceB}/guest", null, $"/api/mdevs/{DeviceB}"),
        "configure-adapter-again" => (HttpMethod.Put, "/api/adapters/5/configured", """{"configured":true}""", "/api/adapters/5"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static Task<HttpResponseMessage> SendCallAsync(HttpClient client, string name, string? ifMatch = null, bool dryRun = false)
    {
        var (method, path, body, _) = Call(name);
        return SendAsync(client, method, path + (dryRun ? "?dryRun=true" : string.Empty), body is null ? null : Json(body), ifMatch);
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task StaleIfMatchIsVersionMismatchAndChangesNothing(string name)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await SendCallAsync(client, name, "\"7\"");

        var problem = await AssertProblemAsync(response, 412, "/problems/version-mismatch");
        Assert.Equal(1, (long?)problem["currentVersion"]);
        Assert.Equal("\"1\"", (string?)problem["currentETag"]);
        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [MemberData(nameof(NoOps))]
    public async Task StaleIfMatchIsVersionMismatchEvenForAWouldBeNoOp(string name)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await SendCallAsync(client, name, "\"7\"");

        await AssertProblemAsync(response, 412, "/problems/version-mismatch");
        await AssertUnchangedAsync(client, before);

        using var unconditional = await SendCallAsync(client, name);
        Assert.Equal(HttpStatusCode.OK, unconditional.StatusCode);
        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task TheETagOfTheResourceIsAnIfMatchTheCallAccepts(string name)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        using var read = await client.GetAsync(Call(name).ETagSource);
        var etag = ETag(read)!.Tag;

        using var response = await SendCallAsync(client, name, etag);

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        using var again = await client.GetAsync(Call(name).ETagSource);
        Assert.NotEqual(etag, ETag(again)!.Tag);
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task WildcardIfMatchIsAccepted(string name)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await SendCallAsync(client, name, "*");

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [MemberData(nameof(Changes))]
    [MemberData(nameof(NoOps))]
    public async Task DryRunAnswersLikeTheRealCallAndChangesNothing(string name)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var dry = await SendCallAsync(client, name, dryRun: true);
        var dryStatus = dry.StatusCode;
        var dryBody = await ReadObjectAsync(dry);
        Assert.True((bool?)dryBody["dryRun"], dryBody.ToJsonString());
        await AssertUnchangedAsync(client, before);

        using var real = await SendCallAsync(client, name);
        Assert.Equal(real.StatusCode, dryStatus);
        var realBody = await ReadObjectAsync(real);
        Assert.NotEqual(true, (bool?)realBody["dryRun"]);
        Assert.True(JsonNode.DeepEquals(WithoutDryRun(dryBody), WithoutDryRun(realBody)), $"dry: {dryBody}\nreal: {realBody}");
    }

    [Fact]
    public async Task NotFoundComesBeforeAStaleIfMatch()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await SendAsync(client, HttpMethod.Put, $"/api/mdevs/{DeviceC}/domains/4", ifMatch: "\"7\"");

        await AssertProblemAsync(response, 404, "/problems/not-found");
    }

    [Fact]
    public async Task StaleIfMatchComesBeforeIdOutOfRangeAndConflicts()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var range = await SendAsync(client, HttpMethod.Put, $"/api/mdevs/{DeviceB}/adapters/64", ifMatch: "\"7\"");
        await AssertProblemAsync(range, 412, "/problems/version-mismatch");
        using var conflict = await SendAsync(client, HttpMethod.Put, $"/api/mdevs/{DeviceB}/adapters/5", ifMatch: "\"7\"");
        await AssertProblemAsync(conflict, 412, "/problems/version-mismatch");
        using var inUse = await SendAsync(client, HttpMethod.Delete, $"/api/mdevs/{DeviceA}", ifMatch: "\"7\"");
        await AssertProblemAsync(inUse, 412, "/problems/version-mismatch");
    }

    [Fact]
    public async Task DeviceIfMatchIsTheDevicesVersionNotTheGlobalOne()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await PutMaskAsync(client, "apmask", "-7")).Dispose(); // global 2, device B still 1

        using var global = await SendAsync(client, HttpMethod.Put, $"/api/mdevs/{DeviceB}/domains/71", ifMatch: "\"2\"");
        await AssertProblemAsync(global, 412, "/problems/version-mismatch");
        using var own = await SendAsync(client, HttpMethod.Put, $"/api/mdevs/{DeviceB}/domains/71", ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("\"3\"", ETag(own)?.Tag);
    }

    [Theory]
    [InlineData("assign", "adapters/5", 409, "/problems/apqn-conflict")]
    [InlineData("assign", "adapters/3", 409, "/problems/apqn-owned-by-host")]
    [InlineData("assign", "domains/85", 400, "/problems/id-out-of-range")]
    [InlineData("guest", "guest-a", 409, "/problems/guest-has-mdev")]
    public async Task DryRunOfARefusedDeviceCallAnswersTheSameProblem(string kind, string what, int status, string type)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var dry = kind == "assign"
            ? await client.PutAsync($"/api/mdevs/{DeviceB}/{what}?dryRun=true", null)
            : await client.PutAsync($"/api/mdevs/{DeviceB}/guest?dryRun=true", Json($$"""{"name":"{{what}}"}"""));

        await AssertProblemAsync(dry, status, type);
        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [InlineData("PUT", "/api/mdevs/{B}/adapters/6?dryRun=perhaps")]
    [InlineData("DELETE", "/api/mdevs/{B}/guest?dryRun=2")]
    [InlineData("DELETE", "/api/mdevs/{B}?dryRun=yes")]
    [InlineData("PUT", "/api/mdevs/{B}/domains/4?verbose=true")]
    public async Task MalformedOrUnknownQueryOnADeviceMutationIsInvalidQuery(string method, string url)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await SendAsync(client, new HttpMethod(method), url.Replace("{B}", DeviceB, StringComparison.Ordinal));

        await AssertProblemAsync(response, 400, "/problems/invalid-query");
        await AssertUnchangedAsync(client, before);
    }
}
