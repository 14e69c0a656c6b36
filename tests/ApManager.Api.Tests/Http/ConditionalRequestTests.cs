using System.Net;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Http;

/// <summary>
/// <c>If-Match</c> as RFC 9110 §13.1.1 defines it: <c>*</c>, or a list of entity tags compared
/// strongly (a weak tag never matches), in one header or several.
/// </summary>
public class ConditionalRequestTests
{
    [Theory]
    [InlineData("\"7\", \"1\"")]
    [InlineData("\"1\",\"2\"")]
    [InlineData("W/\"9\", \"1\"")]
    [InlineData("*")]
    [InlineData("  *  ")]
    public async Task AListNamingTheCurrentVersionOrAStarIsAccepted(string ifMatch)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutMaskAsync(client, "apmask", "-7", ifMatch);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", ETag(response)!.Tag);
    }

    [Theory]
    [InlineData("\"7\", \"8\"")]
    [InlineData("W/\"1\"")]
    [InlineData("W/\"1\", \"2\"")]
    [InlineData("\"1")]
    [InlineData("1")]
    [InlineData("\"01x\"")]
    public async Task AListWithoutTheCurrentVersionOrWithOnlyAWeakMatchIsVersionMismatchAndChangesNothing(string ifMatch)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutMaskAsync(client, "apmask", "-7", ifMatch);

        var problem = await AssertProblemAsync(response, 412, "/problems/version-mismatch");
        Assert.Equal("\"1\"", (string?)problem["currentETag"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task SeveralIfMatchHeaderLinesFormOneList()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/mdevs/{DeviceB}");
        request.Headers.TryAddWithoutValidation("If-Match", "\"5\"");
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task DeviceCallsCompareTheListWithTheDevicesVersion()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        using (var assigned = await client.PutAsync($"/api/mdevs/{DeviceB}/domains/5", null))
        {
            Assert.Equal("\"2\"", ETag(assigned)!.Tag);
        }

        using var stale = await SendAsync(client, HttpMethod.Put, $"/api/mdevs/{DeviceB}/domains/6", ifMatch: "\"1\", W/\"2\"");
        await AssertProblemAsync(stale, 412, "/problems/version-mismatch");
        using var current = await SendAsync(client, HttpMethod.Put, $"/api/mdevs/{DeviceB}/domains/6", ifMatch: "\"1\", \"2\"");
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }
}
