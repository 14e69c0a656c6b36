using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ApManager.Api.OpenApi;

/// <summary>
/// The handlers take path values as strings to answer a malformed one with a problem; the
/// document says what a valid one is (the rules in <see cref="Http.PathValues"/>).
/// </summary>
internal sealed class PathParameterSchemasFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Path))
        {
            parameter.Schema = parameter.Name switch
            {
                "id" => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "0", Maximum = "255", Description = "An adapter or domain id, decimal." },
                "uuid" => new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid", Description = "The matrix device's UUID (8-4-4-4-12 hex)." },
                "apqn" => new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Pattern = @"^[0-9a-fA-F]{2}\.00[0-9a-fA-F]{2}$",
                    Description = "Adapter (two hex digits), a dot, domain (four hex digits, at most 00ff).",
                    Example = JsonValue.Create("05.0004"),
                },
                _ => parameter.Schema,
            };
        }
    }
}

/// <summary>
/// <c>GET /api/events</c> streams <c>text/event-stream</c>, resumes from <c>Last-Event-ID</c> and takes the
/// credential as <c>?access_token=</c> (EventSource cannot send headers): documented here, as the handler reads them itself.
/// </summary>
internal sealed class EventStreamFilter : IOperationFilter
{
    public const string EndpointName = "Events";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName != EndpointName)
        {
            return;
        }
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "access_token",
            In = ParameterLocation.Query,
            Description = "The API key or JWT, for clients that cannot send Authorization (browsers' EventSource). Accepted on this route only.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "Last-Event-ID",
            In = ParameterLocation.Header,
            Description = "The id (audit seq) of the last event received: the stream resumes after it. Takes precedence over `after`.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9]+$" },
        });
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response && !HttpMethods.IsHead(context.ApiDescription.HttpMethod ?? string.Empty))
        {
            response.Description = "The event stream: `id:` (audit seq), `event:` (type) and `data:` (JSON) per event; a comment line every 15 s.";
            response.Content = new Dictionary<string, OpenApiMediaType>
            {
                ["text/event-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
        }
    }
}
