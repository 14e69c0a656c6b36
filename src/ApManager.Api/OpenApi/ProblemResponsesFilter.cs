using ApManager.Api.Problems;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ApManager.Api.OpenApi;

/// <summary>
/// Documents, for every problem status an operation can answer, the problem types it carries:
/// their names in the description, the type's schema (the <c>Problem</c> base, which tells types
/// apart by <c>type</c>, when several) and one complete example each.
/// </summary>
internal sealed class ProblemResponsesFilter : IOperationFilter
{
    private const string ProblemJson = "application/problem+json";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var types = metadata.OfType<ProblemTypeMetadata>().Select(m => m.Type).Distinct().ToList();
        if (types.Count == 0)
        {
            return;
        }
        var instance = "/" + context.ApiDescription.RelativePath;
        var role = metadata.OfType<Access.RequiredRoleMetadata>().Select(r => r.Role).OrderBy(r => Array.IndexOf(Access.Roles.All, r)).LastOrDefault() ?? Access.Roles.Viewer;
        operation.Responses ??= [];
        foreach (var group in types.GroupBy(t => t.Status))
        {
            var key = group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // The bodies' schemas are where ProblemHierarchyFilter finds each type's members.
            foreach (var body in group.Select(t => t.Body).Distinct())
            {
                context.SchemaGenerator.GenerateSchema(body, context.SchemaRepository);
            }
            var media = new OpenApiMediaType
            {
                // Several types: the Problem base, whose discriminator picks the type's schema (a oneOf would not become a client exception).
                Schema = group.Count() == 1
                    ? new OpenApiSchemaReference(ProblemHierarchyFilter.SchemaName(group.Single()), context.Document)
                    : new OpenApiSchemaReference(ProblemHierarchyFilter.BaseSchema, context.Document),
                Examples = group.ToDictionary(t => t.Name, t => (IOpenApiExample)new OpenApiExample { Summary = t.Title, Value = ProblemExamples.For(t, instance, role) }),
            };
            operation.Responses[key] = new OpenApiResponse
            {
                Description = string.Join("; ", group.Select(t => $"`{t.Uri}`: {t.Title}")),
                Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = media },
            };
        }
        var sorted = operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        operation.Responses.Clear();
        foreach (var (status, response) in sorted)
        {
            operation.Responses[status] = response;
        }
    }
}

/// <summary>
/// A problem body's schema says what every problem carries (type, title, status, detail, instance,
/// traceId — required) and which problem types use this class: <c>type</c> is an enum of their URIs.
/// </summary>
internal sealed class ProblemSchemaFilter : ISchemaFilter
{
    private static readonly string[] Always = ["type", "title", "status", "detail", "instance", "traceId"];

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (!typeof(ApProblem).IsAssignableFrom(context.Type) || schema is not OpenApiSchema concrete)
        {
            return;
        }
        concrete.Properties ??= new Dictionary<string, IOpenApiSchema>();
        concrete.Properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Correlates with the service's log." };
        concrete.Properties["type"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The problem type: a relative URI; GET it for an explanation.",
            Enum = [.. ProblemCatalog.All.Where(p => p.Body == context.Type).Select(p => (System.Text.Json.Nodes.JsonNode)p.Uri)],
        };
        concrete.Properties["title"] = new OpenApiSchema { Type = JsonSchemaType.String };
        concrete.Properties["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" };
        concrete.Properties["detail"] = new OpenApiSchema { Type = JsonSchemaType.String };
        concrete.Properties["instance"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request path." };
        concrete.Required ??= new HashSet<string>();
        foreach (var name in Always)
        {
            concrete.Required.Add(name);
        }
    }
}
