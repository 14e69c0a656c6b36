using System.Net;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Topology;

public class AdapterTests
{
    [Fact]
    public async Task DemoListsFiveAdaptersWithTypeModeAndQueues()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/adapters");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", ETag(response)?.Tag);
        var adapters = await ReadArrayAsync(response);
        Assert.Equal([3, 4, 5, 6, 7], adapters.Select(a => (int)a!["id"]!));
        Assert.Equal(["CEX8C", "CEX8P", "CEX8C", "CEX8C", "CEX7A"], adapters.Select(a => (string)a!["type"]!));
        Assert.Equal(["cca", "ep11", "cca", "cca", "accel"], adapters.Select(a => (string)a!["mode"]!));
        Assert.All(adapters, a =>
        {
            Assert.True((bool?)a!["online"]);
            Assert.True((bool?)a["configured"]);
            Assert.Equal(5, a["queues"]!.AsArray().Count);
        });
        Assert.Equal(["07.0004", "07.0005", "07.0006", "07.0047", "07.0048"], Strings(adapters[4]!["queues"]));
    }

    [Fact]
    public async Task OneAdapterIsServedWithItsVersionAsETag()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/adapters/4");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", ETag(response)?.Tag);
        var adapter = await ReadObjectAsync(response);
        Assert.Equal(4, (int?)adapter["id"]);
        Assert.Equal("CEX8P", (string?)adapter["type"]);
        Assert.Equal("ep11", (string?)adapter["mode"]);
        Assert.Equal(1, (long?)adapter["version"]);
        Assert.Equal(["04.0004", "04.0005", "04.0006", "04.0047", "04.0048"], Strings(adapter["queues"]));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("300")]
    [InlineData("256")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("0x5")]
    [InlineData("5.0")]
    public async Task MalformedAdapterIdIsInvalidRequest(string id)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/adapters/{id}");

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-request");
        Assert.NotNull(problem["errors"]?["adapter"]);
    }

    [Theory]
    [InlineData("9")]
    [InlineData("0")]
    [InlineData("255")]
    public async Task AdapterThatDoesNotExistIsNotFound(string id)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync($"/api/adapters/{id}");

        var problem = await AssertProblemAsync(response, 404, "/problems/not-found");
        Assert.Equal("adapter", (string?)problem["kind"]);
        Assert.Equal(id, (string?)problem["id"]);
        Assert.Equal($"/api/adapters/{id}", (string?)problem["instance"]);
    }

    [Fact]
    public async Task ConfiguredTopologyReplacesTheDemoAdapters()
    {
        await using var app = new ApManagerApplication(new Dictionary<string, string?>
        {
            ["ApManager:Seed"] = "none",
            ["ApManager:Host:Adapters:0:Id"] = "10",
            ["ApManager:Host:Adapters:0:Type"] = "CEX6P",
            ["ApManager:Host:Adapters:1:Id"] = "11",
            ["ApManager:Host:Adapters:1:Type"] = "CEX4A",
            ["ApManager:Host:Adapters:1:Configured"] = "false",
            ["ApManager:Host:UsageDomains"] = "1,74",
        });
        using var client = app.CreateClient();

        var adapters = await GetArrayAsync(client, "/api/adapters");

        Assert.Equal([10, 11], adapters.Select(a => (int)a!["id"]!));
        Assert.Equal(["0a.0001", "0a.004a"], Strings(adapters[0]!["queues"]));
        Assert.False((bool?)adapters[1]!["configured"]);
        Assert.False((bool?)adapters[1]!["online"]);
        Assert.Empty(adapters[1]!["queues"]!.AsArray());
        Assert.Equal("accel", (string?)adapters[1]!["mode"]);
    }
}
