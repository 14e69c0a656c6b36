using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace ApManager.Api.Tests;

/// <summary>
/// A fresh ApManager host per test (the singleton bus state must not leak between tests),
/// with optional configuration overrides and helpers for the calls every test makes.
/// </summary>
public sealed class ApManagerApplication(IDictionary<string, string?>? settings = null, string? storagePath = null) : WebApplicationFactory<Program>
{
    private readonly bool _ownsStorage = storagePath is null;

    /// <summary>The SQLite file of this host: a fresh temporary one unless a test passes its own (restart tests).</summary>
    public string StoragePath { get; } = storagePath ?? NewStoragePath();

    public static string NewStoragePath() =>
        Path.Combine(Path.GetTempPath(), "apmanager-tests", $"{Guid.NewGuid():N}", "apmanager.db");

    /// <summary>API keys the test host accepts, one per role; clients send the admin key unless a test says otherwise.</summary>
    public const string AdminKey = "test-admin-key";
    public const string OperatorKey = "test-operator-key";
    public const string ViewerKey = "test-viewer-key";

    public const string DeviceA = "0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11";
    public const string DeviceB = "5d2e8a41-93c7-4f0b-8b6e-2c4f1a7d9e30";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) =>
        {
            var values = new Dictionary<string, string?>
            {
                ["Serilog:MinimumLevel:Default"] = "Warning",
                ["ApManager:Storage:Path"] = StoragePath,
                ["ApManager:RateLimit:MutationsPerSecond"] = "0",
                ["ApManager:Auth:ApiKeys:0:Name"] = "test-admin",
                ["ApManager:Auth:ApiKeys:0:Role"] = "admin",
                ["ApManager:Auth:ApiKeys:0:Hash"] = ApManager.Api.Access.ApiKeyStore.HashText(AdminKey),
                ["ApManager:Auth:ApiKeys:1:Name"] = "test-operator",
                ["ApManager:Auth:ApiKeys:1:Role"] = "operator",
                ["ApManager:Auth:ApiKeys:1:Hash"] = ApManager.Api.Access.ApiKeyStore.HashText(OperatorKey),
                ["ApManager:Auth:ApiKeys:2:Name"] = "test-viewer",
                ["ApManager:Auth:ApiKeys:2:Role"] = "viewer",
                ["ApManager:Auth:ApiKeys:2:Hash"] = ApManager.Api.Access.ApiKeyStore.HashText(ViewerKey),
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                values[key] = value;
            }
            config.AddInMemoryCollection(values);
        });
    }

    /// <summary>Every client of the test host is an admin unless the test replaces the header.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    /// <summary>A client with the given key, or none.</summary>
    public HttpClient CreateClient(string? key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = key is null ? null : new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsStorage)
        {
            DeleteStorage(StoragePath);
        }
    }

    public static void DeleteStorage(string path)
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow shutdown; the temp folder is cleaned by the OS.
        }
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Text(string text) => new(text, Encoding.UTF8, "text/plain");

    public static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response) =>
        (await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync()))!.AsObject();

    public static async Task<JsonArray> ReadArrayAsync(HttpResponseMessage response) =>
        (await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync()))!.AsArray();

    /// <summary>Everything observable at once: bus, queues and devices, to assert that a refusal changed nothing.</summary>
    public static async Task<string> StateAsync(HttpClient client) =>
        await client.GetStringAsync("/api/bus") + await client.GetStringAsync("/api/queues") + await client.GetStringAsync("/api/mdevs") +
        await client.GetStringAsync("/api/adapters");

    public static async Task<HttpResponseMessage> PutMaskAsync(HttpClient client, string attribute, string mask, string? ifMatch = null, bool dryRun = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/bus/{attribute}{(dryRun ? "?dryRun=true" : string.Empty)}")
        {
            Content = JsonContent.Create(new { mask }),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return await client.SendAsync(request);
    }

    /// <summary>Asserts the response is a problem of the given type and status, and returns its body.</summary>
    public static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, int status, string type)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await ReadObjectAsync(response);
        Assert.Equal(type, (string?)body["type"]);
        Assert.Equal(status, (int?)body["status"]);
        Assert.False(string.IsNullOrEmpty((string?)body["title"]));
        Assert.False(string.IsNullOrEmpty((string?)body["detail"]));
        Assert.NotNull(body["traceId"]);
        Assert.NotNull(body["instance"]);
        return body;
    }

    public static string[] Apqns(JsonNode? offenders) =>
        [.. offenders!.AsArray().Select(o => (string)o!["apqn"]!)];

    public static EntityTagHeaderValue? ETag(HttpResponseMessage response) => response.Headers.ETag;

    /// <summary>Any call, with an optional body and If-Match header.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, HttpContent? content = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return await client.SendAsync(request);
    }

    public static async Task<JsonObject> GetObjectAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await ReadObjectAsync(response);
    }

    public static async Task<JsonArray> GetArrayAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await ReadArrayAsync(response);
    }

    public static string[] Strings(JsonNode? array) => [.. array!.AsArray().Select(n => (string)n!)];

    public static int[] Ints(JsonNode? array) => [.. array!.AsArray().Select(n => (int)n!)];

    /// <summary>A copy of a JSON object without its <c>dryRun</c> member, to compare a dry run with the real call.</summary>
    public static JsonObject WithoutDryRun(JsonObject body)
    {
        var copy = body.DeepClone().AsObject();
        copy.Remove("dryRun");
        return copy;
    }

    /// <summary>Asserts that the whole observable state is what it was before a refused or dry-run call.</summary>
    public static async Task AssertUnchangedAsync(HttpClient client, string before) =>
        Assert.Equal(before, await StateAsync(client));

    /// <summary>The mask with every bit set except the given ones, as GET /api/bus shows it.</summary>
    public static string MaskWithout(params int[] bits)
    {
        var digits = new char[64];
        for (var k = 0; k < 64; k++)
        {
            var v = 0;
            for (var b = 0; b < 4; b++)
            {
                if (!bits.Contains((4 * k) + b))
                {
                    v |= 8 >> b;
                }
            }
            digits[k] = "0123456789abcdef"[v];
        }
        return "0x" + new string(digits);
    }

    public const string AllOnes = "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    public static JsonSerializerOptions Web { get; } = new(JsonSerializerDefaults.Web);
}
