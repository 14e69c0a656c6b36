using System.Net;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Operations;

public class StartupTests
{
    [Theory]
    [InlineData("ApManager:Seed", "bogus")]
    [InlineData("ApManager:Host:MaxAdapterId", "256")]
    [InlineData("ApManager:Host:MaxDomainId", "50")]
    [InlineData("ApManager:Host:UsageDomains", "4-2")]
    [InlineData("ApManager:Host:Adapters:0:Type", "CEX9C")]
    public async Task InvalidConfigurationStopsTheServiceInsteadOfServingErrors(string key, string value)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("ApManager:Host:Adapters", StringComparison.Ordinal))
        {
            settings["ApManager:Host:Adapters:0:Id"] = "3";
        }
        await using var app = new ApManagerApplication(settings);

        Assert.ThrowsAny<Exception>(() => app.CreateClient());
    }

    [Fact]
    public async Task SeedIsCaseInsensitive()
    {
        await using var app = new ApManagerApplication(new Dictionary<string, string?> { ["ApManager:Seed"] = "NONE" });
        using var client = app.CreateClient();

        var bus = await GetObjectAsync(client, "/api/bus");

        Assert.Equal(AllOnes, (string?)bus["apmask"]);
    }

    [Fact]
    public async Task MaskWrittenWhileAnAdapterIsDeconfiguredAppliesWhenItComesBack()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        (await client.PutAsync("/api/adapters/7/configured", Json("""{"configured":false}"""))).Dispose();

        using var mask = await PutMaskAsync(client, "apmask", "-7");
        Assert.Equal(HttpStatusCode.OK, mask.StatusCode);
        Assert.Empty((await ReadObjectAsync(mask))["rebound"]!.AsArray());
        using var configure = await client.PutAsync("/api/adapters/7/configured", Json("""{"configured":true}"""));

        Assert.Equal(HttpStatusCode.OK, configure.StatusCode);
        var queues = await GetArrayAsync(client, "/api/queues?adapter=7");
        Assert.Equal(5, queues.Count);
        Assert.All(queues, q => Assert.Equal("vfio_ap", (string?)q!["driver"]));
    }
}
