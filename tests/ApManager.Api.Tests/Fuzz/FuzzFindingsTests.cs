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

    /// <summary>mdevctl configs are read as mdevctl reads them (issue 16): their nulls are invalid-request, keyed by JSON path.</summary>
    public static TheoryData<string, string, string> NullElements => new()
    {
        { "a null device", """{"apmask":"0x","aqmask":"0x","mdevs":[null]}""", "/problems/invalid-request" },
        { "a null attribute", """{"apmask":"0x","aqmask":"0x","mdevs":[{"uuid":"6f0c3f52-3b5e-4f47-9d6a-0d7f6c2b1a10","mdevctl":{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[null]}}]}""", "/problems/invalid-request" },
        { "a null attribute value", """{"apmask":"0x","aqmask":"0x","mdevs":[{"uuid":"6f0c3f52-3b5e-4f47-9d6a-0d7f6c2b1a10","mdevctl":{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":null}]}}]}""", "/problems/invalid-request" },
        { "a null adapter", """{"apmask":"0x","aqmask":"0x","mdevs":[],"adapters":[null]}""", "/problems/invalid-body" },
        { "a null guest", """{"apmask":"0x","aqmask":"0x","mdevs":[],"guests":[null]}""", "/problems/invalid-body" },
    };

    [Theory]
    [MemberData(nameof(NullElements))]
    public async Task AnImportWithANullListElementIsA400NotA500(string what, string body, string type)
    {
        await using var app = NewApp();
        using var client = app.CreateClient();
        var before = await ApManagerApplication.StateAsync(client);

        var response = await client.PostAsync("/api/import", ApManagerApplication.Json(body));

        Assert.True((int)response.StatusCode == 400, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await ApManagerApplication.AssertProblemAsync(response, 400, type);
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

    [Theory]
    [InlineData("GET", "/api/nope", null, 404)]
    [InlineData("DELETE", "/api/bus", null, 405)]
    [InlineData("PUT", "/api/mdevs/" + ApManagerApplication.DeviceB + "/config", "text/plain", 415)]
    public async Task RoutingErrorsAreProblemsWhateverTheClientAccepts(string method, string path, string? contentType, int status)
    {
        await using var app = NewApp();
        using var client = app.CreateClient();
        foreach (var accept in new[] { "text/plain", "application/xml", "text/html" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
            if (contentType is not null)
            {
                request.Content = new StringContent("{}", null, contentType);
            }
            var response = await client.SendAsync(request);
            Assert.Equal(status, (int)response.StatusCode);
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
                $"Accept {accept}: {response.Content.Headers.ContentType} {await response.Content.ReadAsStringAsync()}");
            var problem = await ApManagerApplication.ReadObjectAsync(response);
            Assert.Equal(status, (int?)problem["status"]);
            Assert.False(string.IsNullOrEmpty((string?)problem["detail"]));
            Assert.StartsWith("/problems/", (string?)problem["type"], StringComparison.Ordinal);
        }
    }
}
