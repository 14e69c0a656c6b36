using System.Text.Json.Nodes;
using ApManager.Api.Http;
using ApManager.Api.Problems;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ApManager.Api.OpenApi;

/// <summary>Swagger UI and the OpenAPI document, served in every environment.</summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/swagger/v1/swagger.json";

    public static IServiceCollection AddApManagerOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "ApManager",
                Version = "v1",
                Description =
                    "Manage the s390 AP bus: the apmask/aqmask permissions that decide which AP queues (APQNs such as `05.0004`) belong to the host's " +
                    "crypto drivers and which vfio_ap may pass through to KVM guests, the vfio_ap matrix devices and their guests. " +
                    "Every refused change answers with a problem (RFC 9457) whose `type` is explained at `GET /problems/{name}`; a mask change " +
                    "that would take queues away from a running guest answers 409 `/problems/queues-in-use` listing every offending APQN, " +
                    "the driver that refused, the matrix device that holds it and the guest using it. Every mutation takes `?dryRun=true` and `If-Match`.",
            });
            // Relative: the document is right wherever the service listens (Swagger UI, generated clients given a base URL).
            options.AddServer(new OpenApiServer { Url = "/", Description = "This service, where it serves this document (default http://127.0.0.1:5080)." });
            options.DocumentFilter<TagDescriptionsFilter>();
            options.DocumentFilter<ProblemHierarchyFilter>();
            options.SupportNonNullableReferenceTypes();
            // Audit before/after/details are stored JSON of any shape: documented as any value, not as the .NET JsonNode class.
            options.MapType<JsonNode>(() => new OpenApiSchema { Description = "Any JSON value, as recorded (null when the record has none)." });
            options.AddSecurityDefinition("Bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key (admin tooling) or a JWT from the configured identity provider (dashboards), sent as `Authorization: Bearer <value>`. " +
                    "Roles: viewer (reads), operator (also matrix devices and guests), admin (everything: masks, adapters, import). " +
                    "On a first run without configured credentials the service creates an admin key and writes it to data/admin.key.",
            });
            // A read answers GET and HEAD: one operation id each.
            options.CustomOperationIds(api =>
                api.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName is { } name
                    ? HttpMethods.IsHead(api.HttpMethod ?? string.Empty) ? name + "Head" : name
                    : null);
            options.OperationFilter<ProblemResponsesFilter>();
            options.OperationFilter<SecurityRequirementFilter>();
            options.OperationFilter<ResponseHeadersFilter>();
            options.OperationFilter<PathParameterSchemasFilter>();
            options.OperationFilter<EventStreamFilter>();
            options.OperationFilter<HeadOperationFilter>();
            options.OperationFilter<TextPlainBodyFilter>();
            options.SchemaFilter<ProblemSchemaFilter>();
            options.SchemaFilter<AnyValueSchemaFilter>();
            options.SchemaFilter<RequiredMembersSchemaFilter>();
            var xml = Path.Combine(AppContext.BaseDirectory, "ApManager.Api.xml");
            if (File.Exists(xml))
            {
                options.IncludeXmlComments(xml);
            }
        });
        return services;
    }

    public static WebApplication UseApManagerOpenApi(this WebApplication app)
    {
        // Both middlewares match every request's path against regular expressions; a CPU profile
        // of GET /api/bus found them on the hot path. Only /swagger paths can be theirs.
        app.UseWhenFirstNeeded(context => context.Request.Path.StartsWithSegments("/swagger"), swagger =>
        {
            swagger.UseSwagger();
            swagger.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint(DocumentPath, "ApManager v1");
                options.DocumentTitle = "ApManager API";
                options.EnableTryItOutByDefault();
                // The key pasted into Authorize survives a reload (kept in the browser's localStorage).
                options.EnablePersistAuthorization();
            });
        });
        return app;
    }

    /// <summary>Marks every operation that needs a role with the bearer requirement and names the role.</summary>
    private sealed class SecurityRequirementFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var roles = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<Access.RequiredRoleMetadata>().Select(r => r.Role).ToList();
            if (roles.Count == 0)
            {
                // Anonymous (health, problem types): said explicitly, not left to the document's default.
                operation.Security = [];
                return;
            }
            var role = roles.Contains(Access.Roles.Admin) ? Access.Roles.Admin : roles.Contains(Access.Roles.Operator) ? Access.Roles.Operator : Access.Roles.Viewer;
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] });
            operation.Description = $"{operation.Description}\n\nRequires role **{role}**.".TrimStart('\n');
        }
    }

    /// <summary>
    /// A nullable JsonNode member is "any JSON value": its schema has no type, which already admits null,
    /// so the lone <c>nullable</c> marker (invalid without a type) is dropped.
    /// </summary>
    private sealed class AnyValueSchemaFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            foreach (var property in (schema.Properties ?? new Dictionary<string, IOpenApiSchema>()).Values.OfType<OpenApiSchema>())
            {
                if (property.Type == JsonSchemaType.Null)
                {
                    property.Type = null;
                }
            }
        }
    }

    /// <summary>
    /// A raw <c>text/plain</c> body (a mask as echo writes it) is a string, not the JSON object
    /// beside it: documented so, with an example Swagger UI pre-fills that the call accepts.
    /// </summary>
    private sealed class TextPlainBodyFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.RequestBody is OpenApiRequestBody { Content: { } content } && content.ContainsKey("text/plain"))
            {
                content["text/plain"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = "The mask exactly as you would echo it into sysfs: absolute hex or relative terms; a trailing newline is fine.",
                    },
                    Example = JsonValue.Create("-7"),
                };
            }
        }
    }

    /// <summary>HEAD answers a read's status and headers without a body.</summary>
    private sealed class HeadOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (!HttpMethods.IsHead(context.ApiDescription.HttpMethod ?? string.Empty) || operation.Responses is null)
            {
                return;
            }
            operation.Summary = $"{operation.Summary} (headers only)";
            operation.Description = $"{operation.Description}\n\nHEAD: the same status and headers as GET, no body.".TrimStart('\n');
            foreach (var response in operation.Responses.Values.OfType<OpenApiResponse>())
            {
                response.Content?.Clear();
            }
        }
    }
}
