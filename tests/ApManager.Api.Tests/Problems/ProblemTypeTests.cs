using System.Net;
using System.Net.Http.Headers;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Problems;

public class ProblemTypeTests
{
    [Fact]
    public async Task QueuesInUseIsExplainedAsJson()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/problems/queues-in-use");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var type = await ReadObjectAsync(response);
        Assert.Equal("/problems/queues-in-use", (string?)type["type"]);
        Assert.Equal("AP queues are in use", (string?)type["title"]);
        Assert.Equal(409, (int?)type["status"]);
        Assert.Contains("offendingApqns", (string?)type["description"]);
    }

    [Fact]
    public async Task QueuesInUseIsExplainedAsTextWhenAskedFor()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/problems/queues-in-use");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("/problems/queues-in-use", text);
        Assert.Contains("AP queues are in use", text);
        Assert.Contains("409", text);
    }

    [Fact]
    public async Task EveryProblemTypeIsListedAndEachIsServedAtItsUri()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var types = await GetArrayAsync(client, "/problems");

        var uris = types.Select(t => (string)t!["type"]!).ToArray();
        foreach (var expected in new[]
                 {
                     "invalid-mask", "queues-in-use", "version-mismatch", "not-found", "id-out-of-range", "apqn-owned-by-host",
                     "apqn-conflict", "mdev-exists", "mdev-in-use", "guest-has-mdev", "invalid-request", "invalid-body",
                     "invalid-query", "unsupported-media-type", "payload-too-large", "method-not-allowed",
                 })
        {
            Assert.Contains($"/problems/{expected}", uris);
        }
        foreach (var uri in uris)
        {
            var type = await GetObjectAsync(client, uri);
            Assert.Equal(uri, (string?)type["type"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)type["description"]));
        }
    }

    [Fact]
    public async Task UnknownProblemTypeIsANotFoundProblem()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/problems/no-such-problem");

        var problem = await AssertProblemAsync(response, 404, "/problems/not-found");
        Assert.Equal("no-such-problem", (string?)problem["id"]);
        Assert.Equal("/problems/no-such-problem", (string?)problem["instance"]);
    }

    [Theory]
    [InlineData("/api/nothing")]
    [InlineData("/api/bus/apmasks")]
    [InlineData("/api/mdevs/0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11/cards/5")]
    [InlineData("/nothing")]
    public async Task UnknownRouteIsANotFoundProblem(string path)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(path);

        var problem = await AssertProblemAsync(response, 404, "/problems/not-found");
        Assert.Equal(path, (string?)problem["instance"]);
    }

    [Fact]
    public async Task ProblemTraceIdIsTheRequestsW3CTraceparent()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutMaskAsync(client, "apmask", "+5");

        var problem = await AssertProblemAsync(response, 409, "/problems/queues-in-use");
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", (string?)problem["traceId"]);
    }
}
