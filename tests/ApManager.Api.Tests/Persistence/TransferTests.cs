using System.Net;
using System.Text.Json.Nodes;
using static ApManager.Api.Tests.ApManagerApplication;
using static ApManager.Api.Tests.Persistence.DefinitionTests;

namespace ApManager.Api.Tests.Persistence;

public class TransferTests
{
    [Fact]
    public async Task AnExportCarriesTheDefinitionsAndPersistentMasksAndAnImportRestoresThem()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var persistent = await DefinitionTests.KeepActiveMasksAtBootAsync(client);
        (await PutDefinitionAsync(client, DeviceX, """{"start":"auto","adapters":[5],"domains":[4]}""")).Dispose();
        (await SendAsync(client, HttpMethod.Put, "/api/bus/persistent", Json("""{"aqmask":"-9"}"""))).Dispose();
        var export = await GetObjectAsync(client, "/api/export");
        Assert.Equal([DeviceX], export["definitions"]!.AsArray().Select(d => (string)d!["uuid"]!));
        Assert.Equal((string?)persistent["apmask"], (string?)export["persistentMasks"]!["apmask"]);
        var before = await client.GetStringAsync("/api/definitions") + await client.GetStringAsync("/api/bus/persistent");
        (await client.DeleteAsync($"/api/mdevs/{DeviceX}/definition")).Dispose();
        (await PutDefinitionAsync(client, DeviceY, """{"start":"manual","adapters":[6],"domains":[4]}""")).Dispose();

        using var response = await client.PostAsync("/api/import", Json(export.ToJsonString()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before, await client.GetStringAsync("/api/definitions") + await client.GetStringAsync("/api/bus/persistent"));
    }

    [Fact]
    public async Task AnImportWhoseDefinitionsConflictIsRefusedWholeListingEveryOffender()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await DefinitionTests.KeepActiveMasksAtBootAsync(client);
        var export = await GetObjectAsync(client, "/api/export");
        var config = JsonNode.Parse("""{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":"5"},{"assign_domain":"4"},{"assign_domain":"0x47"}]}""");
        export["definitions"] = new JsonArray(
            new JsonObject { ["uuid"] = DeviceX, ["mdevctl"] = config!.DeepClone() },
            new JsonObject { ["uuid"] = DeviceY, ["mdevctl"] = config.DeepClone() });
        export["apmask"] = "-1";
        var state = await StateAsync(client);

        using var response = await client.PostAsync("/api/import", Json(export.ToJsonString()));

        var problem = await AssertProblemAsync(response, 409, "/problems/definition-conflict");
        Assert.Equal(["05.0004", "05.0047"], Apqns(problem["offendingApqns"]));
        Assert.Equal(state, await StateAsync(client));
        Assert.Empty(await GetArrayAsync(client, "/api/definitions"));
    }
}
