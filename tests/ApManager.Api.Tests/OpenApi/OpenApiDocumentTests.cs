using System.Text.Json.Nodes;

namespace ApManager.Api.Tests.OpenApi;

public class OpenApiDocumentTests
{
    private static string CommittedPath([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "openapi", "swagger.json"));

    [Fact]
    public async Task ServedDocumentMatchesTheCommittedCopy()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var served = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;
        var path = CommittedPath();
        if (Environment.GetEnvironmentVariable("APMANAGER_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, served.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
        Assert.True(File.Exists(path), $"The committed OpenAPI document is missing at {path}; run the tests once with APMANAGER_UPDATE_OPENAPI=1.");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        Assert.True(JsonNode.DeepEquals(committed, served),
            "The served OpenAPI document differs from openapi/swagger.json. If the API change is intended, regenerate the copy with " +
            "APMANAGER_UPDATE_OPENAPI=1 dotnet test --filter ServedDocumentMatchesTheCommittedCopy and commit it with the change.");
    }

    [Fact]
    public async Task SwaggerUiIsServedOutsideDevelopment()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var response = await client.GetAsync("/swagger/index.html");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DocumentListsHealthEndpointsAndTheDemoConflictExample()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var doc = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;
        var paths = doc["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("/health/live"));
        Assert.True(paths.ContainsKey("/health/ready"));
        var example = paths["/api/bus/apmask"]!["put"]!["responses"]!["409"]!["content"]!["application/problem+json"]!["examples"]!["queues-in-use"]!["value"]!;
        Assert.Equal("+5,+6", (string?)example["input"]);
        Assert.Equal(["05.0004", "05.0047", "06.0004"], ApManagerApplication.Apqns(example["offendingApqns"]));
    }

    [Fact]
    public async Task EveryOperationHasASummaryAndDocumentsItsProblems()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var doc = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;
        foreach (var (path, item) in doc["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                Assert.False(string.IsNullOrWhiteSpace((string?)operation!["summary"]), $"{method} {path} has no summary");
                if (method is "put" or "patch" or "post" or "delete")
                {
                    var responses = operation["responses"]!.AsObject();
                    Assert.Contains(responses, r => r.Key.StartsWith('4'));
                }
            }
        }
    }
}
