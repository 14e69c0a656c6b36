using System.Net;

namespace ApManager.Api.Tests.Operations;

public class MetricsAndPagingTests
{
    [Fact]
    public async Task MetricsExposeRequestsByRouteAndStatusRefusalsQueuesDevicesGuestsAndCommitLatency()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Conflict, (await ApManagerApplication.PutMaskAsync(client, "apmask", "+5,+6")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ApManagerApplication.PutMaskAsync(client, "apmask", "-3")).StatusCode);

        using var anonymous = app.CreateClient(null);
        var response = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("http_request_duration_seconds_count{code=\"409\",method=\"PUT\",controller=\"\",action=\"\",endpoint=\"/api/bus/apmask\"}", text);
        Assert.Contains("apmanager_problems_total{problem_type=\"/problems/queues-in-use\",status=\"409\"}", text);
        Assert.Contains("apmanager_queues{driver=\"vfio_ap\"} 15", text);
        Assert.Contains("apmanager_queues{driver=\"cex4queue\"} 10", text);
        Assert.Contains("apmanager_mdevs 2", text);
        Assert.Contains("apmanager_guests 1", text);
        Assert.Matches(@"apmanager_store_commit_seconds_count [1-9]", text);
    }

    [Fact]
    public async Task MetricsCanRequireAViewer()
    {
        await using var app = new ApManagerApplication(new Dictionary<string, string?> { ["ApManager:Metrics:RequireAuth"] = "true" });
        using var anonymous = app.CreateClient(null);
        await ApManagerApplication.AssertProblemAsync(await anonymous.GetAsync("/metrics"), 401, "/problems/unauthenticated");
        using var viewer = app.CreateClient(ApManagerApplication.ViewerKey);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task QueuesArePagedWithANextLinkUntilTheLastPage()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var seen = new List<string>();
        var next = "/api/queues?driver=vfio_ap&limit=4";
        while (next is not null)
        {
            var response = await client.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await ApManagerApplication.ReadArrayAsync(response);
            Assert.InRange(page.Count, 1, 4);
            seen.AddRange(page.Select(q => (string)q!["apqn"]!));
            next = response.Headers.TryGetValues("Link", out var links)
                ? links.Single().Split(';')[0].Trim('<', '>', ' ')
                : null;
        }
        Assert.Equal(10, seen.Count);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.Equal(seen.Distinct(), seen);
    }

    [Theory]
    [InlineData("/api/queues?limit=0")]
    [InlineData("/api/queues?limit=10001")]
    [InlineData("/api/queues?after=5.4")]
    [InlineData("/api/mdevs?after=not-a-uuid")]
    [InlineData("/api/adapters?after=x")]
    public async Task BadPagingParametersAreInvalidQueryProblems(string url)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var response = await client.GetAsync(url);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task MdevsAndAdaptersPageByTheirKeys()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var first = await client.GetAsync("/api/mdevs?limit=1");
        var page = await ApManagerApplication.ReadArrayAsync(first);
        Assert.Equal(ApManagerApplication.DeviceA, (string?)page.Single()!["uuid"]);
        Assert.Contains($"after={ApManagerApplication.DeviceA}", first.Headers.GetValues("Link").Single());
        var second = await ApManagerApplication.ReadArrayAsync(await client.GetAsync($"/api/mdevs?after={ApManagerApplication.DeviceA}"));
        Assert.Equal(ApManagerApplication.DeviceB, (string?)second.Single()!["uuid"]);
        var adapters = await ApManagerApplication.ReadArrayAsync(await client.GetAsync("/api/adapters?after=4&limit=2"));
        Assert.Equal([5, 6], adapters.Select(a => (int)a!["id"]!));
    }
}
