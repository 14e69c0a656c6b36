using System.Net;

namespace ApManager.Api.Tests.Operations;

/// <summary>Lists come in pages of stable keys with a next link; bad paging parameters are problems.</summary>
public class PagingTests
{
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
