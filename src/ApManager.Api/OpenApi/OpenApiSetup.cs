using System.Text.Json.Nodes;
using ApManager.Api.Problems;
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
            options.OperationFilter<ProblemResponsesFilter>();
            options.OperationFilter<SecurityRequirementFilter>();
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

    /// <summary>
    /// Lists, for every problem status an operation documents, the problem types it can carry,
    /// and attaches the demo's 409 as the example of /problems/queues-in-use.
    /// </summary>
    private sealed class ProblemResponsesFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var types = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ProblemTypeMetadata>().Select(m => m.Type).ToList();
            if (types.Count == 0 || operation.Responses is null)
            {
                return;
            }
            foreach (var group in types.GroupBy(t => t.Status))
            {
                var key = group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!operation.Responses.TryGetValue(key, out var response) || response is not OpenApiResponse concrete)
                {
                    continue;
                }
                concrete.Description = string.Join("; ", group.Select(t => $"`{t.Uri}`: {t.Title}"));
                if (concrete.Content is null || !concrete.Content.TryGetValue("application/problem+json", out var media))
                {
                    continue;
                }
                media.Examples ??= new Dictionary<string, IOpenApiExample>();
                foreach (var type in group)
                {
                    media.Examples[type.Name] = new OpenApiExample { Summary = type.Title, Value = ExampleFor(type) };
                }
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
