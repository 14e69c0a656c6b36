using ApManager.Api.Problems;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ApManager.Api.OpenApi;

/// <summary>Endpoint metadata: a success carries the resource's version as <c>ETag</c>.</summary>
public sealed record SendsETagMetadata;

/// <summary>Endpoint metadata: a page that is not the last carries <c>Link: &lt;…&gt;; rel="next"</c>.</summary>
public sealed record SendsNextLinkMetadata;

public static class ResponseHeaderExtensions
{
    /// <summary>Documents the <c>ETag</c> a success sends (the handler sets it with <see cref="Http.ETags.Set"/>).</summary>
    public static TBuilder SendsETag<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SendsETagMetadata());

    /// <summary>Documents the next-page <c>Link</c> a list sends (the handler pages with <see cref="Http.Paging.Page"/>).</summary>
    public static TBuilder SendsNextLink<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SendsNextLinkMetadata());
}

/// <summary>Documents the response headers the service sends: ETag, Link, Location, Retry-After and ApManager-Dry-Run.</summary>
internal sealed class ResponseHeadersFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.Responses is null)
        {
            return;
        }
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete)
            {
                continue;
            }
            if (status.StartsWith('2') && metadata.OfType<SendsETagMetadata>().Any())
            {
                Add(concrete, "ETag", "The resource's version (a quoted number): send it back as If-Match to change only what you read.");
            }
            if (status == "200" && metadata.OfType<SendsNextLinkMetadata>().Any())
            {
                Add(concrete, "Link", "Sent when more items follow: `<url>; rel=\"next\"`, the URL of the next page.");
            }
            if (status == "201")
            {
                Add(concrete, "Location", "The URL of the created resource.");
            }
            if (status == "204" && metadata.OfType<Http.AllowedQueryMetadata>().Any(q => q.Names.Contains("dryRun")))
            {
                Add(concrete, Http.DryRuns.HeaderName, "`true` when `?dryRun=true` was asked: nothing changed. Absent on a real call.");
            }
            if (status == "429")
            {
                Add(concrete, "Retry-After", "Seconds to wait before the next change.", JsonSchemaType.Integer);
            }
            if (status == "503" && metadata.OfType<ProblemTypeMetadata>().Any(m => m.Type == ProblemCatalog.HostBusy))
            {
                Add(concrete, "Retry-After", "Sent with `/problems/host-busy`: seconds to wait before retrying.", JsonSchemaType.Integer);
            }
        }
    }

    private static void Add(OpenApiResponse response, string name, string description, JsonSchemaType type = JsonSchemaType.String)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } };
    }
}
