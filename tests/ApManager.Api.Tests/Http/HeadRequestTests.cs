using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Http;

/// <summary>HEAD on every read: the status and headers GET would send (ETag, Link, Content-Type), no body.</summary>
public class HeadRequestTests
{
    [Fact]
    public async Task EveryGetRouteAlsoTakesHead()
    {
        await using var app = new ApManagerApplication();
        _ = app.CreateClient();

        var reads = app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Get) == true)
            .ToList();

        Assert.NotEmpty(reads);
        Assert.All(reads, e => Assert.Contains(HttpMethods.Head, e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods));
    }

    [Theory]
    [InlineData("/api/bus")]
    [InlineData("/api/adapters")]
    [InlineData("/api/adapters/5")]
    [InlineData("/api/queues?limit=2")]
    [InlineData("/api/queues/05.0004")]
    [InlineData("/api/drivers")]
    [InlineData("/api/mdevs")]
    [InlineData("/api/mdevs/" + DeviceA)]
    [InlineData("/api/audit")]
    [InlineData("/api/export")]
    [InlineData("/problems")]
    [InlineData("/problems/queues-in-use")]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/api/mdevs/" + "c0ffee00-0000-4000-8000-000000000001")]
    [InlineData("/api/queues/zz.0004")]
    [InlineData("/api/queues?limit=0")]
    public async Task HeadAnswersWhatGetAnswersWithoutTheBody(string url)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var get = await client.GetAsync(url);
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Headers.TryGetValues("Link", out var getLink) ? getLink : [], head.Headers.TryGetValues("Link", out var headLink) ? headLink : []);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(await get.Content.ReadAsByteArrayAsync());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task HeadNeedsACredentialAsGetDoes()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient(key: null);

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/bus"));

        Assert.Equal(HttpStatusCode.Unauthorized, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }
}
