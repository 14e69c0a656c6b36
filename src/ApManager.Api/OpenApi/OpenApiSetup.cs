using System.Text.Json.Nodes;
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
            options.SupportNonNullableReferenceTypes();
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
            options.OperationFilter<HeadOperationFilter>();
            options.OperationFilter<TextPlainBodyFilter>();
            options.SchemaFilter<TraceIdSchemaFilter>();
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
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/swagger"), swagger =>
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
                return;
            }
            var role = roles.Contains(Access.Roles.Admin) ? Access.Roles.Admin : roles.Contains(Access.Roles.Operator) ? Access.Roles.Operator : Access.Roles.Viewer;
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] });
            operation.Description = $"{operation.Description}\n\nRequires role **{role}**.".TrimStart('\n');
        }
    }

    /// <summary>Every problem carries <c>traceId</c> (an extension member the framework writes): the schema says so.</summary>
    private sealed class TraceIdSchemaFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).IsAssignableFrom(context.Type) && schema is OpenApiSchema concrete)
            {
                concrete.Properties ??= new Dictionary<string, IOpenApiSchema>();
                concrete.Properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Correlates with the service's log." };
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

    /// <summary>
    /// Documents, for every problem status an operation can answer, the problem types it carries:
    /// their names in the description, their body classes as the schema (oneOf when several) and
    /// one example each, the demo's 409 as the example of /problems/queues-in-use.
    /// </summary>
    private sealed class ProblemResponsesFilter : IOperationFilter
    {
        private const string ProblemJson = "application/problem+json";

        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var types = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ProblemTypeMetadata>().Select(m => m.Type).Distinct().ToList();
            if (types.Count == 0)
            {
                return;
            }
            operation.Responses ??= [];
            foreach (var group in types.GroupBy(t => t.Status))
            {
                var key = group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var bodies = group.Select(t => t.Body).Distinct().Select(b => context.SchemaGenerator.GenerateSchema(b, context.SchemaRepository)).ToList();
                var media = new OpenApiMediaType
                {
                    Schema = bodies.Count == 1 ? bodies[0] : new OpenApiSchema { OneOf = bodies },
                    Examples = group.ToDictionary(t => t.Name, t => (IOpenApiExample)new OpenApiExample { Summary = t.Title, Value = ExampleFor(t) }),
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

        private static JsonNode ExampleFor(ProblemType type)
        {
            var example = new JsonObject
            {
                ["type"] = type.Uri,
                ["title"] = type.Title,
                ["status"] = type.Status,
            };
            if (type == ProblemCatalog.QueuesInUse)
            {
                example["detail"] = "The apmask change would take 3 queues away from vfio_ap while they are in use.";
                example["instance"] = "/api/bus/apmask";
                example["attribute"] = "apmask";
                example["input"] = "+5,+6";
                example["errno"] = "EBUSY";
                example["offendingApqns"] = new JsonArray(
                    Offender("05.0004", 5, 4, "0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11", "guest-a"),
                    Offender("05.0047", 5, 71, "0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11", "guest-a"),
                    Offender("06.0004", 6, 4, "5d2e8a41-93c7-4f0b-8b6e-2c4f1a7d9e30", null));
            }
            else if (type == ProblemCatalog.InvalidMask)
            {
                example["detail"] = "The apmask write does not parse at position 3.";
                example["instance"] = "/api/bus/apmask";
                example["attribute"] = "apmask";
                example["input"] = "+5-2";
                example["position"] = 3;
                example["errno"] = "EINVAL";
            }
            else
            {
                example["detail"] = type.Description.Split(". ")[0] + ".";
            }
            return example;
        }

        private static JsonObject Offender(string apqn, int adapter, int domain, string mdev, string? guest) => new()
        {
            ["apqn"] = apqn,
            ["adapter"] = adapter,
            ["domain"] = domain,
            ["driver"] = "vfio_ap",
            ["mdev"] = mdev,
            ["guest"] = guest,
        };
    }
}
