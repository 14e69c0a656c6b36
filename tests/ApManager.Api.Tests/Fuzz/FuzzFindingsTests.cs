using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>
/// Each case the hostile-input fuzz found, pinned as a plain regression test: the input, the
/// answer the contract asks for, and that nothing changed.
/// </summary>
public class FuzzFindingsTests
{
    private static ApManagerApplication NewApp() => new(new Dictionary<string, string?> { ["ApManager:Storage:Mode"] = "memory" });

    private static async Task<JsonObject> ExportAsync(HttpClient client) =>
        (await ApManagerApplication.ReadObjectAsync(await client.GetAsync("/api/export")));

    public static TheoryData<string, string> NullElements => new()
    {
        { "a null device", """{"apmask":"0x","aqmask":"0x","mdevs":[null]}""" },
        { "a null attribute", """{"apmask":"0x","aqmask":"0x","mdevs":[{"uuid":"6f0c3f52-3b5e-4f47-9d6a-0d7f6c2b1a10","mdevctl":{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[null]}}]}""" },
        { "a null attribute value", """{"apmask":"0x","aqmask":"0x","mdevs":[{"uuid":"6f0c3f52-3b5e-4f47-9d6a-0d7f6c2b1a10","mdevctl":{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":null}]}}]}""" },
        { "a null adapter", """{"apmask":"0x","aqmask":"0x","mdevs":[],"adapters":[null]}""" },
        { "a null guest", """{"apmask":"0x","aqmask":"0x","mdevs":[],"guests":[null]}""" },
    };

    [Theory]
    [MemberData(nameof(NullElements))]
    public async Task AnImportWithANullListElementIsA400NotA500(string what, string body)
    {
        await using var app = NewApp();
        using var client = app.CreateClient();
        var before = await ApManagerApplication.StateAsync(client);

        var response = await client.PostAsync("/api/import", ApManagerApplication.Json(body));

        Assert.True((int)response.StatusCode == 400, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await ApManagerApplication.AssertProblemAsync(response, 400, "/problems/invalid-body");
        Assert.Equal(before, await ApManagerApplication.StateAsync(client));
    }

    [Theory]
    [InlineData("ctl\u0001")]
    [InlineData("tab\there")]
    [InlineData("nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn")]
    public async Task AnImportCannotGiveADeviceANameThatCreateRefuses(string name)
    {
        await using var app = NewApp();
        using var client = app.CreateClient();
        var create = await client.PostAsync("/api/mdevs", ApManagerApplication.Json(new JsonObject { ["name"] = name }.ToJsonString()));
        await ApManagerApplication.AssertProblemAsync(create, 400, "/problems/invalid-request");
        var export = await ExportAsync(client);
        export["mdevs"]![0]!["name"] = name;
        var before = await ApManagerApplication.StateAsync(client);

        var response = await client.PostAsync("/api/import", ApManagerApplication.Json(export.ToJsonString()));

        var problem = await ApManagerApplication.AssertProblemAsync(response, 400, "/problems/invalid-request");
        Assert.NotNull(problem["errors"]?["name"]);
        Assert.Equal(before, await ApManagerApplication.StateAsync(client));
    }
}
