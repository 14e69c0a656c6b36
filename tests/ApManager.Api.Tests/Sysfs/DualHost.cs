using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace ApManager.Api.Tests.Sysfs;

/// <summary>
/// The same service twice: on the simulated demo host and in <c>sysfs</c> mode over the fake
/// kernel booted with the same demo configuration. Every call goes to both; the answers must be
/// the same status and the same body, up to what legitimately differs between the two hosts
/// (trace ids, device names: names are ApManager's metadata and a real host starts without
/// them; request counters: the simulator counts none).
/// </summary>
public sealed class DualHost : IAsyncDisposable
{
    private static readonly string[] Volatile = ["traceId", "name", "requestCount", "time", "timestamp", "at"];

    private DualHost(ApManagerApplication simulated, SysfsApplication sysfs)
    {
        Simulated = simulated;
        Sysfs = sysfs;
        SimulatedClient = simulated.CreateClient();
        SysfsClient = sysfs.CreateClient();
    }

    public ApManagerApplication Simulated { get; }

    public SysfsApplication Sysfs { get; }

    public HttpClient SimulatedClient { get; }

    public HttpClient SysfsClient { get; }

    public static DualHost Start() => new(new ApManagerApplication(), SysfsApplication.Start());

    /// <summary>Sends the same request to both; asserts equal answers; returns the sysfs answer's status and body.</summary>
    public async Task<(int Status, JsonNode? Body, EntityTagHeaderValue? ETag)> SendAsync(HttpMethod method, string url, string? json = null, string? ifMatch = null)
    {
        var simulated = await SendOneAsync(SimulatedClient, method, url, json, ifMatch);
        var sysfs = await SendOneAsync(SysfsClient, method, url, json, ifMatch);
        Assert.True(simulated.Status == sysfs.Status,
            $"{method} {url}: simulated {simulated.Status} {simulated.Text}\nsysfs {sysfs.Status} {sysfs.Text}");
        var expected = Normalize(simulated.Text);
        var actual = Normalize(sysfs.Text);
        Assert.True(expected == actual, $"{method} {url} answered differently:\nsimulated {expected}\nsysfs     {actual}");
        Assert.Equal(simulated.ETag?.Tag, sysfs.ETag?.Tag);
        return (sysfs.Status, sysfs.Text.Length == 0 ? null : JsonNode.Parse(sysfs.Text), sysfs.ETag);
    }

    public Task<(int Status, JsonNode? Body, EntityTagHeaderValue? ETag)> GetAsync(string url) => SendAsync(HttpMethod.Get, url);

    /// <summary>Everything observable, compared between both hosts.</summary>
    public async Task AssertSameStateAsync()
    {
        foreach (var url in new[] { "/api/bus", "/api/adapters", "/api/queues", "/api/mdevs", "/api/drivers" })
        {
            await GetAsync(url);
        }
    }

    private static async Task<(int Status, string Text, EntityTagHeaderValue? ETag)> SendOneAsync(HttpClient client, HttpMethod method, string url, string? json, string? ifMatch)
    {
        using var request = new HttpRequestMessage(method, url)
        {
            Content = json is null ? null : ApManagerApplication.Json(json),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.ETag);
    }

    private static string Normalize(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }
        var node = JsonNode.Parse(text);
        JsonMembers.RemoveEverywhere(node, Volatile);
        return node?.ToJsonString() ?? "null";
    }

    public async ValueTask DisposeAsync()
    {
        SimulatedClient.Dispose();
        SysfsClient.Dispose();
        await Simulated.DisposeAsync();
        await Sysfs.DisposeAsync();
    }
}
