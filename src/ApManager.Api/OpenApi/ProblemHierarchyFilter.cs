using System.Text.Json.Nodes;
using ApManager.Api.Problems;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ApManager.Api.OpenApi;

/// <summary>
/// Problem bodies as one hierarchy: <c>Problem</c> holds the members every problem carries and a
/// discriminator on <c>type</c> mapping each problem URI to its body; each body is
/// <c>allOf [Problem, its own members]</c>. Generated clients (Kiota) then make one exception class
/// per body, all deriving from <c>Problem</c>, and pick the class from <c>type</c>; a oneOf per
/// status would give them a union they cannot throw.
/// </summary>
internal sealed class ProblemHierarchyFilter : IDocumentFilter
{
    public const string BaseSchema = "Problem";
    private static readonly string[] Common = ["type", "title", "status", "detail", "instance", "traceId"];

    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        var schemas = swaggerDoc.Components?.Schemas;
        if (schemas is null || schemas[nameof(ApProblem)] is not OpenApiSchema sample)
        {
            return;
        }
        var bodies = ProblemCatalog.All.Select(p => p.Body).Distinct().Where(b => schemas.ContainsKey(b.Name)).ToList();
        var properties = Common.ToDictionary(n => n, n => (IOpenApiSchema)new OpenApiSchema
        {
            Type = sample.Properties![n].Type,
            Format = sample.Properties[n].Format,
            Description = sample.Properties[n].Description,
        });
        // Kiota makes `detail` the exception's Message.
        ((OpenApiSchema)properties["detail"]).Extensions = new Dictionary<string, IOpenApiExtension> { ["x-ms-primary-error-message"] = new JsonNodeExtension(JsonValue.Create(true)) };
        schemas[BaseSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = sample.Description,
            Properties = properties,
            Required = new HashSet<string>(Common),
            AdditionalProperties = new OpenApiSchema(),
            Discriminator = new OpenApiDiscriminator
            {
                PropertyName = "type",
                Mapping = ProblemCatalog.All.Where(p => bodies.Contains(p.Body)).ToDictionary(p => p.Uri, p => new OpenApiSchemaReference(p.Body.Name, swaggerDoc)),
            },
        };
        foreach (var body in bodies)
        {
            var flat = (OpenApiSchema)schemas[body.Name];
            schemas[body.Name] = new OpenApiSchema
            {
                Description = body == typeof(ApProblem) ? "A problem with no members beyond those every problem carries." : flat.Description,
                AllOf =
                [
                    new OpenApiSchemaReference(BaseSchema, swaggerDoc),
                    new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        // `type` stays here too: the enum of the URIs that use this body.
                        Properties = flat.Properties!.Where(p => p.Key == "type" || !Common.Contains(p.Key)).ToDictionary(),
                        Required = new HashSet<string>(flat.Required!.Where(r => !Common.Contains(r))),
                    },
                ],
            };
        }
    }
}
