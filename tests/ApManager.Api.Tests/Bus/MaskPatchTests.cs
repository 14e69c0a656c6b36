using System.Net;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Bus;

public class MaskPatchTests
{
    private static Task<HttpResponseMessage> PatchAsync(HttpClient client, string json, string? ifMatch = null, string query = "") =>
        SendAsync(client, HttpMethod.Patch, "/api/bus/masks" + query, Json(json), ifMatch);

    [Fact]
    public async Task PatchChangesBothMasksInOneStepWithOneVersion()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PatchAsync(client, """{"apmask":"-7","aqmask":"-72"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(MaskWithout(5, 6, 7), (string?)result["apmask"]);
        Assert.Equal(MaskWithout(72), (string?)result["aqmask"]);
        Assert.Equal(2, (long?)result["version"]);
        Assert.Equal(
            ["03.0048", "04.0048", "07.0004", "07.0005", "07.0006", "07.0047", "07.0048"],
            result["rebound"]!.AsArray().Select(r => (string)r!["apqn"]!));
        Assert.Equal(2, (long?)(await GetObjectAsync(client, "/api/bus"))["version"]);
    }

    [Fact]
    public async Task PatchSucceedsWhereTheSameWritesOneAfterTheOtherWouldBeRefused()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        // Alone, +5 is refused (05.0004 and 05.0047 are in device A); with 4 and 71 leaving aqmask nothing becomes host-owned in use.
        using var response = await PatchAsync(client, """{"apmask":"+5","aqmask":"-4,-71"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(MaskWithout(6), (string?)result["apmask"]);
        Assert.Equal(MaskWithout(4, 71), (string?)result["aqmask"]);
        var queue = await GetObjectAsync(client, "/api/queues/05.0005");
        Assert.Equal("cex4queue", (string?)queue["driver"]);
        var device = await GetObjectAsync(client, $"/api/mdevs/{DeviceA}");
        Assert.Equal(["05.0004", "05.0047"], Strings(device["guestMatrix"]));
    }

    /// <summary>A PATCH naming one mask, and both masks after it: the other one as the demo has it.</summary>
    public static TheoryData<string, string, string> OneMaskPatches => new()
    {
        { """{"apmask":"-7"}""", MaskWithout(5, 6, 7), AllOnes },
        { """{"aqmask":"-72"}""", MaskWithout(5, 6), MaskWithout(72) },
    };

    [Theory]
    [MemberData(nameof(OneMaskPatches))]
    public async Task PatchWithOnlyOneMaskChangesOnlyThatMask(string patch, string apmask, string aqmask)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PatchAsync(client, patch);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(apmask, (string?)result["apmask"]);
        Assert.Equal(aqmask, (string?)result["aqmask"]);
    }

    [Fact]
    public async Task PatchAcceptsMergePatchJson()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var content = new StringContent("""{"apmask":"-7","aqmask":null}""", System.Text.Encoding.UTF8, "application/merge-patch+json");

        using var response = await SendAsync(client, HttpMethod.Patch, "/api/bus/masks", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MaskWithout(5, 6, 7), (string?)(await ReadObjectAsync(response))["apmask"]);
    }

    [Fact]
    public async Task PatchWithNeitherMaskIsABadRequestAndChangesNothing()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PatchAsync(client, "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ReadObjectAsync(response);
        Assert.StartsWith("/problems/invalid-", (string?)problem["type"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]));
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task PatchWithBothMembersNullIsABadRequest()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PatchAsync(client, """{"apmask":null,"aqmask":null}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task PatchWithAnInvalidAqmaskChangesNeitherMask()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PatchAsync(client, """{"apmask":"-7","aqmask":"+5-2"}""");

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-mask");
        Assert.Equal("aqmask", (string?)problem["attribute"]);
        Assert.Equal("+5-2", (string?)problem["input"]);
        Assert.Equal(3, (int?)problem["position"]);
        Assert.Equal("EINVAL", (string?)problem["errno"]);
        Assert.Equal("/api/bus/masks", (string?)problem["instance"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task PatchWithTwoInvalidMasksNamesApmaskFirst()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PatchAsync(client, """{"apmask":"0X8","aqmask":"+5-2"}""");

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-mask");
        Assert.Equal("apmask", (string?)problem["attribute"]);
        Assert.Equal(1, (int?)problem["position"]);
    }

    [Fact]
    public async Task PatchRefusalChecksTheCombinedDifferenceAndListsEveryOffender()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        // +5 with aqmask losing only domain 4: 05.0047 still becomes host-owned.
        using var response = await PatchAsync(client, """{"apmask":"+5,+6","aqmask":"-4"}""");

        var problem = await AssertProblemAsync(response, 409, "/problems/queues-in-use");
        Assert.Equal(["05.0047"], Apqns(problem["offendingApqns"]));
        Assert.Equal("EBUSY", (string?)problem["errno"]);
        Assert.Contains("apmask", (string?)problem["attribute"]);
        Assert.Contains("aqmask", (string?)problem["attribute"]);
        Assert.Equal("+5,+6", (string?)problem["inputs"]!["apmask"]);
        Assert.Equal("-4", (string?)problem["inputs"]!["aqmask"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task PatchThatLeavesBothMasksAsTheyAreIsANoOp()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PatchAsync(client, """{"apmask":"+7","aqmask":""}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ReadObjectAsync(response);
        Assert.Equal(1, (long?)result["version"]);
        Assert.Empty(result["rebound"]!.AsArray());
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task PatchHonoursIfMatchAndDryRun()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var stale = await PatchAsync(client, """{"apmask":"-7"}""", ifMatch: "\"2\"");
        var problem = await AssertProblemAsync(stale, 412, "/problems/version-mismatch");
        Assert.Equal(1, (long?)problem["currentVersion"]);
        await AssertUnchangedAsync(client, before);

        using var dry = await PatchAsync(client, """{"apmask":"-7"}""", query: "?dryRun=true");
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        var dryBody = await ReadObjectAsync(dry);
        Assert.True((bool?)dryBody["dryRun"]);
        await AssertUnchangedAsync(client, before);

        using var real = await PatchAsync(client, """{"apmask":"-7"}""", ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.OK, real.StatusCode);
        var realBody = await ReadObjectAsync(real);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(WithoutDryRun(dryBody), WithoutDryRun(realBody)));
    }

    [Fact]
    public async Task PatchRejectsMalformedAndUnknownMembers()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var unknown = await PatchAsync(client, """{"apmask":"-7","bogus":1}""");
        await AssertProblemAsync(unknown, 400, "/problems/invalid-body");
        using var number = await PatchAsync(client, """{"apmask":7}""");
        await AssertProblemAsync(number, 400, "/problems/invalid-body");
        using var text = await SendAsync(client, HttpMethod.Patch, "/api/bus/masks", Text("-7"));
        await AssertProblemAsync(text, 415, "/problems/unsupported-media-type");

        await AssertUnchangedAsync(client, before);
    }
}
