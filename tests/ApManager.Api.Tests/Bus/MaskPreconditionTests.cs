using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Bus;

public class MaskPreconditionTests
{
    [Theory]
    [InlineData("\"2\"")]
    [InlineData("\"0\"")]
    [InlineData("W/\"1\"")]
    [InlineData("garbage")]
    public async Task StaleOrForeignIfMatchIsVersionMismatchAndChangesNothing(string ifMatch)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutMaskAsync(client, "apmask", "-7", ifMatch);

        var problem = await AssertProblemAsync(response, 412, "/problems/version-mismatch");
        Assert.Equal(1, (long?)problem["currentVersion"]);
        Assert.Equal("\"1\"", (string?)problem["currentETag"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task StaleIfMatchIsRefusedEvenForAWouldBeNoOp()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var empty = await PutMaskAsync(client, "apmask", "", "\"5\"");
        await AssertProblemAsync(empty, 412, "/problems/version-mismatch");
        using var same = await PutMaskAsync(client, "aqmask", "+4", "\"5\"");
        await AssertProblemAsync(same, 412, "/problems/version-mismatch");

        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task StaleIfMatchComesBeforeTheInUseCheck()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutMaskAsync(client, "apmask", "+5", "\"9\"");

        await AssertProblemAsync(response, 412, "/problems/version-mismatch");
    }

    [Fact]
    public async Task CurrentIfMatchIsAccepted()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        using var read = await client.GetAsync("/api/bus");
        var etag = ETag(read)!.Tag;

        using var response = await PutMaskAsync(client, "apmask", "-7", etag);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", ETag(response)?.Tag);

        // The old ETag is stale now.
        using var again = await PutMaskAsync(client, "apmask", "-3", etag);
        await AssertProblemAsync(again, 412, "/problems/version-mismatch");
    }

    [Fact]
    public async Task WildcardIfMatchIsAccepted()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutMaskAsync(client, "apmask", "-7", "*");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("apmask", "-7")]
    [InlineData("apmask", "")]
    [InlineData("aqmask", "-72")]
    public async Task DryRunAnswersLikeTheRealCallAndChangesNothing(string attribute, string mask)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var dry = await PutMaskAsync(client, attribute, mask, dryRun: true);
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        var dryBody = await ReadObjectAsync(dry);
        Assert.True((bool?)dryBody["dryRun"]);
        await AssertUnchangedAsync(client, before);
        Assert.Equal(1, (long?)(await GetObjectAsync(client, "/api/bus"))["version"]);

        using var real = await PutMaskAsync(client, attribute, mask);
        var realBody = await ReadObjectAsync(real);
        Assert.False((bool?)realBody["dryRun"]);
        Assert.True(JsonNode.DeepEquals(WithoutDryRun(dryBody), WithoutDryRun(realBody)), $"{dryBody} vs {realBody}");
    }

    [Fact]
    public async Task DryRunOfARefusedWriteAnswersTheSameConflict()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var dry = await PutMaskAsync(client, "apmask", "+5,+6", dryRun: true);
        var problem = await AssertProblemAsync(dry, 409, "/problems/queues-in-use");
        Assert.Equal(["05.0004", "05.0047", "06.0004"], Apqns(problem["offendingApqns"]));
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task DryRunStillChecksIfMatch()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var dry = await PutMaskAsync(client, "apmask", "-7", ifMatch: "\"3\"", dryRun: true);

        await AssertProblemAsync(dry, 412, "/problems/version-mismatch");
    }

    [Fact]
    public async Task DryRunFalseIsARealWrite()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PutAsync("/api/bus/apmask?dryRun=false", Json("""{"mask":"-7"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (long?)(await GetObjectAsync(client, "/api/bus"))["version"]);
    }

    [Theory]
    [InlineData("?dryRun=maybe", "maybe")]
    [InlineData("?dryRun=1", "1")]
    [InlineData("?dryRun=true&dryRun=false", null)]
    public async Task MalformedDryRunIsInvalidQueryNamingTheParameterAndChangesNothing(string query, string? value)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PutAsync("/api/bus/apmask" + query, Json("""{"mask":"-7"}"""));

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-query");
        Assert.Equal("dryRun", (string?)problem["parameter"]);
        if (value is not null)
        {
            Assert.Equal(value, (string?)problem["value"]);
        }
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task UnknownQueryParameterOnAMaskWriteIsInvalidQuery()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PutAsync("/api/bus/apmask?dry_run=true", Json("""{"mask":"-7"}"""));

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-query");
        Assert.Equal("dry_run", (string?)problem["parameter"]);
        Assert.Equal("true", (string?)problem["value"]);
        await AssertUnchangedAsync(client, before);
    }
}
