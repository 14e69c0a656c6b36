using ApManager.Api.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>A route as the endpoint data source declares it, with the least role it requires (null: anonymous).</summary>
public sealed record FuzzRoute(string Method, string Pattern, string? Role = null)
{
    /// <summary>The route parameters <see cref="HostilePaths"/> knows how to fill.</summary>
    public static readonly IReadOnlySet<string> KnownParameters = new HashSet<string>(StringComparer.Ordinal) { "{uuid}", "{id}", "{apqn}", "{name}" };

    public string Key => $"{Method} {Pattern}";

    /// <summary>Every route the application maps, with every method it declares.</summary>
    public static List<FuzzRoute> All(ApManagerApplication app)
    {
        var routes = new List<FuzzRoute>();
        foreach (var endpoint in app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            var roles = endpoint.Metadata.GetOrderedMetadata<RequiredRoleMetadata>().Select(r => r.Role).ToList();
            var role = roles.Contains(Roles.Admin) ? Roles.Admin : roles.Contains(Roles.Operator) ? Roles.Operator : roles.FirstOrDefault();
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                routes.Add(new FuzzRoute(method, pattern, role));
            }
        }
        return [.. routes.Distinct().OrderBy(r => r.Key, StringComparer.Ordinal)];
    }
}
