using System.Net;
using static ApManager.Api.Tests.ApManagerApplication;
using static ApManager.Api.Tests.Persistence.DefinitionTests;

namespace ApManager.Api.Tests.Persistence;

public class PersistentMaskTests
{
    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string json, string? ifMatch = null, bool dryRun = false) =>
        SendAsync(client, HttpMethod.Put, $"/api/bus/persistent{(dryRun ? "?dryRun=true" : "")}", Json(json), ifMatch);

    [Fact]
    public async Task WithoutARulesFileBothMasksAreNullAndTheKernelDefaultsApplyAtBoot()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var masks = await GetObjectAsync(client, "/api/bus/persistent");

        Assert.Null(masks["apmask"]);
        Assert.Null(masks["aqmask"]);
        Assert.Equal("0x" + new string('f', 64), (string?)masks["bootApmask"]);
    }

    [Fact]
    public async Task ARelativeChangeAppliesToTheActiveValueWhenTheFileHasNone()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutAsync(client, """{"apmask":"-7"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var masks = await GetObjectAsync(client, "/api/bus/persistent");
        Assert.Equal(MaskWithout(5, 6, 7), (string?)masks["apmask"]);
        Assert.Null(masks["aqmask"]);
    }

    [Fact]
    public async Task GivingTheHostQueuesOfAutostartDefinitionsIsRefusedListingEveryOne()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await DefinitionTests.KeepActiveMasksAtBootAsync(client);
        (await PutDefinitionAsync(client, DeviceX, """{"start":"auto","adapters":[5],"domains":[4,71]}""")).Dispose();
        (await PutDefinitionAsync(client, DeviceY, """{"start":"auto","adapters":[6],"domains":[4]}""")).Dispose();

        var persistent = (string?)(await GetObjectAsync(client, "/api/bus/persistent"))["apmask"];

        using var response = await PutAsync(client, """{"apmask":"+5,+6"}""");

        var problem = await AssertProblemAsync(response, 409, "/problems/definition-conflict");
        Assert.Equal(["05.0004", "05.0047", "06.0004"], Apqns(problem["offendingApqns"]));
        Assert.Equal([DeviceX, DeviceY], Strings(problem["definitions"]));
        Assert.Equal(persistent, (string?)(await GetObjectAsync(client, "/api/bus/persistent"))["apmask"]);
    }

    [Fact]
    public async Task AMaskThatDoesNotParseIsInvalid()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutAsync(client, """{"aqmask":"0xzz"}""");

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-mask");
        Assert.Equal("aqmask", (string?)problem["attribute"]);
    }

    [Fact]
    public async Task ADryRunAndAStaleIfMatchChangeNothing()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var dry = await PutAsync(client, """{"apmask":"-7"}""", dryRun: true);
        using var stale = await PutAsync(client, """{"apmask":"-7"}""", "\"999\"");

        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        await AssertProblemAsync(stale, 412, "/problems/version-mismatch");
        Assert.Null((await GetObjectAsync(client, "/api/bus/persistent"))["apmask"]);
    }
}
