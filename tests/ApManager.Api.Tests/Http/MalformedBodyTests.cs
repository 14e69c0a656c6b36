using System.Text.RegularExpressions;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Http;

/// <summary>A body that does not fit a call gets a 400 that names the JSON path and the shape expected, never a .NET type.</summary>
public sealed partial class MalformedBodyTests
{
    public static TheoryData<string, string, string> Bodies => new()
    {
        { "POST", "/api/import", """{"mdevs":[{"uuid":"11111111-1111-4111-8111-111111111111","mdevctl":[]}]}""" },
        { "POST", "/api/import", """{"guests":[{"name":5,"mdev":"x"}]}""" },
        { "POST", "/api/import", """{"adapters":"all"}""" },
        { "POST", "/api/import", """{"persistentMasks":[]}""" },
        { "POST", "/api/import", """{"apmask":null,"unknown":1}""" },
        { "POST", "/api/import", """{"mdevs":5}""" },
        { "PUT", "/api/bus/apmask", """{"mask":5}""" },
        { "PUT", "/api/bus/apmask", """{"mask":null}""" },
        { "PUT", "/api/bus/apmask", """{}""" },
        { "PUT", "/api/bus/apmask", """{"mask":"+1","extra":true}""" },
        { "PATCH", "/api/bus/masks", """{"apmask":[1]}""" },
        { "POST", "/api/mdevs", """{"uuid":5}""" },
        { "PUT", $"/api/mdevs/{DeviceA}/config", """{"adapters":"5","domains":[],"controlDomains":[]}""" },
        { "PUT", $"/api/mdevs/{DeviceA}/config", """{"adapters":[5.5],"domains":[],"controlDomains":[]}""" },
        { "PUT", $"/api/mdevs/{DeviceA}/guest", """{"name":{}}""" },
        { "PUT", $"/api/mdevs/{DeviceA}/definition", """{"start":5}""" },
        { "PUT", "/api/adapters/5/configured", """{"configured":"yes"}""" },
        { "PUT", "/api/bus/persistent", """{"apmask":true}""" },
        { "PUT", "/api/bus/apmask", """{"mask":"+1",}""" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task AMalformedBodyIsA400NamingNoDotNetType(string method, string url, string body)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await SendAsync(client, new HttpMethod(method), url, Json(body));

        Assert.Equal(400, (int)response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ApManager.", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(NestedType(), text);
        Assert.DoesNotMatch(TypeWords(), text);
        Assert.Contains("$", (string?)(await ReadObjectAsync(response))["detail"], StringComparison.Ordinal);
    }

    [GeneratedRegex(@"[A-Za-z]\+[A-Z]")]
    private static partial Regex NestedType();

    [GeneratedRegex(@"(Dto|Request|Body|Int32|Int64|Boolean|Nullable)\b")]
    private static partial Regex TypeWords();
}
