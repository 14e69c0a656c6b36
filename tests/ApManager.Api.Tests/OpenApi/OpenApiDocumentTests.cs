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

    [Fact]
    public async Task EveryReadDeclaresTheUnauthenticatedAndForbiddenProblemsItAnswers()
    {
        var doc = await ServedAsync();
        foreach (var (path, item) in doc["paths"]!.AsObject())
        {
            if (!path.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }
            foreach (var (method, operation) in item!.AsObject())
            {
                var responses = operation!["responses"]!.AsObject();
                Assert.True(responses.ContainsKey("401") && responses.ContainsKey("403"), $"{method} {path} does not declare 401 and 403");
                Assert.True(operation["security"]!.AsArray().Count > 0, $"{method} {path} does not require the bearer scheme");
            }
        }
        Assert.Empty(doc["paths"]!["/health/live"]!["get"]!["security"]!.AsArray());
    }

    [Fact]
    public async Task DocumentTypesPathIdsAndDeclaresTheHeadersAndStreamTheServiceSends()
    {
        var doc = await ServedAsync();
        var paths = doc["paths"]!;
        var id = paths["/api/mdevs/{uuid}/domains/{id}"]!["put"]!["parameters"]!.AsArray();
        Assert.Equal("uuid", (string?)id.Single(p => (string?)p!["name"] == "uuid")!["schema"]!["format"]);
        Assert.Equal(255, (int)id.Single(p => (string?)p!["name"] == "id")!["schema"]!["maximum"]!);
        Assert.Equal("integer", (string?)id.Single(p => (string?)p!["name"] == "id")!["schema"]!["type"]);
        Assert.NotNull(paths["/api/queues/{apqn}"]!["get"]!["parameters"]![0]!["schema"]!["pattern"]);

        Assert.NotNull(paths["/api/bus"]!["get"]!["responses"]!["200"]!["headers"]!["ETag"]);
        Assert.NotNull(paths["/api/mdevs"]!["get"]!["responses"]!["200"]!["headers"]!["Link"]);
        Assert.NotNull(paths["/api/mdevs"]!["post"]!["responses"]!["201"]!["headers"]!["Location"]);
        Assert.NotNull(paths["/api/bus/apmask"]!["put"]!["responses"]!["429"]!["headers"]!["Retry-After"]);
        Assert.NotNull(paths["/api/bus/apmask"]!["put"]!["responses"]!["503"]!["headers"]!["Retry-After"]);

        var events = paths["/api/events"]!["get"]!;
        Assert.NotNull(events["responses"]!["200"]!["content"]!["text/event-stream"]);
        var names = events["parameters"]!.AsArray().Select(p => $"{p!["in"]}:{p["name"]}").ToList();
        Assert.Contains("query:access_token", names);
        Assert.Contains("header:Last-Event-ID", names);

        Assert.False(doc["components"]!["schemas"]!.AsObject().ContainsKey("JsonNode"), "audit members are documented as the .NET JsonNode class");
    }

    [Fact]
    public async Task ProblemBodiesDeriveFromProblemWhichTellsThemApartByTypeAndEveryExampleCarriesTheRequiredMembers()
    {
        var doc = await ServedAsync();
        var schemas = doc["components"]!["schemas"]!;
        var problem = schemas["Problem"]!;
        Assert.Equal("type", (string?)problem["discriminator"]!["propertyName"]);
        Assert.Equal("#/components/schemas/QueuesInUseProblem", (string?)problem["discriminator"]!["mapping"]!["/problems/queues-in-use"]);
        Assert.True((bool?)problem["properties"]!["detail"]!["x-ms-primary-error-message"], "Kiota clients take the exception message from detail");
        var responses = doc["paths"]!["/api/bus/apmask"]!["put"]!["responses"]!;
        Assert.Equal("#/components/schemas/Problem", (string?)responses["409"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]);
        foreach (var (status, response) in responses.AsObject().Where(r => r.Key.StartsWith('4') || r.Key.StartsWith('5')))
        {
            var media = response!["content"]!["application/problem+json"]!;
            foreach (var (name, example) in media["examples"]!.AsObject())
            {
                var value = example!["value"]!.AsObject();
                var schemaName = ((string)problem["discriminator"]!["mapping"]![(string)value["type"]!]!).Split('/')[^1];
                var single = ((string)media["schema"]!["$ref"]!).Split('/')[^1];
                Assert.True(single == "Problem" || single == schemaName, $"{status} example {name} is a {schemaName}, the response says {single}");
                var schema = schemas[schemaName]!;
                Assert.Equal("#/components/schemas/Problem", (string?)schema["allOf"]![0]!["$ref"]);
                var own = schema["allOf"]![1]!;
                foreach (var required in problem["required"]!.AsArray().Concat(own["required"]?.AsArray() ?? []))
                {
                    Assert.True(value.ContainsKey((string)required!), $"{status} example {name} lacks required member {required}");
                }
            }
        }
    }

    [Fact]
    public async Task SchemasMarkRequiredExactlyTheMembersAlwaysSentOrDemanded()
    {
        var schemas = (await ServedAsync())["components"]!["schemas"]!;
        string[] Required(string name) => [.. (schemas[name]!["required"]?.AsArray() ?? []).Select(r => (string)r!).Order(StringComparer.Ordinal)];
        Assert.Equal(["apmask", "aqmask", "maxAdapterId", "maxDomainId", "version"], Required("BusDto"));
        Assert.DoesNotContain("dryRun", Required("MdevDto"));
        Assert.Contains("uuid", Required("MdevDto"));
        Assert.Equal(["mask"], Required("MaskWriteRequest"));
        Assert.Empty(Required("CreateMdevRequest"));
        Assert.Empty(Required("MasksPatchRequest"));
    }

    private static async Task<JsonNode> ServedAsync()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        return JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;
    }
}
