using System.Text.Json.Nodes;

namespace ApManager.Api.Tests.Durability;

/// <summary>Everything a client can observe about the state, with ETags, to compare two hosts or two moments.</summary>
public static class StateCapture
{
    /// <summary>The collections whose bodies and ETags must be identical across a restart.</summary>
    public static readonly string[] Collections = ["/api/bus", "/api/queues?limit=10000", "/api/mdevs?limit=10000", "/api/adapters?limit=10000"];

    /// <summary>"GET path", the status, the ETag and the body of each path, in order.</summary>
    public static async Task<IReadOnlyList<string>> CaptureAsync(HttpClient client, params string[] extraPaths)
    {
        var result = new List<string>();
        foreach (var path in Collections.Concat(extraPaths))
        {
            using var response = await client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            {
                // A 404 is part of the state; its traceId is per request.
                var problem = JsonNode.Parse(body)!.AsObject();
                problem.Remove("traceId");
                body = problem.ToJsonString();
            }
            result.Add($"GET {path} -> {(int)response.StatusCode} ETag {response.Headers.ETag}{Environment.NewLine}{body}");
        }
        return result;
    }

    /// <summary>Asserts two captures are identical, naming the first resource that differs and showing both bodies.</summary>
    public static void AssertIdentical(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    /// <summary>The whole audit trail, oldest first, paging through it.</summary>
    public static async Task<List<JsonObject>> AuditAsync(HttpClient client)
    {
        var all = new List<JsonObject>();
        while (true)
        {
            var after = all.Count == 0 ? 0 : (long)all[^1]["seq"]!;
            using var response = await client.GetAsync($"/api/audit?after={after}&limit=1000");
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            var page = await ApManagerApplication.ReadArrayAsync(response);
            if (page.Count == 0)
            {
                return all;
            }
            all.AddRange(page.Select(r => r!.AsObject()));
        }
    }

    /// <summary>The global version: the ETag of the device list.</summary>
    public static async Task<long> GlobalVersionAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/mdevs");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return long.Parse(response.Headers.ETag!.Tag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A JSON value with every <c>version</c> member removed, for states whose versions may differ.</summary>
    public static string WithoutVersions(string json)
    {
        var node = JsonNode.Parse(json)!;
        JsonMembers.RemoveEverywhere(node, ["version"]);
        return node.ToJsonString();
    }
}
