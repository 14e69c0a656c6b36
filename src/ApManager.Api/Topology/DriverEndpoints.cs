using ApManager.Api.Access;
using ApManager.Api.Http;
using ApManager.Api.Problems;
using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ApManager.Api.Topology;

/// <summary>The drivers registered on the AP bus.</summary>
public static class DriverEndpoints
{
    public static IEndpointRouteBuilder MapDriverEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/drivers").WithTags("Drivers").Read().MapMethods("/", HeadRequests.GetAndHead, ListDrivers)
            .WithName("ListDrivers")
            .WithSummary("List the registered AP drivers")
            .WithDescription("`default` is true for the host's zcrypt drivers (cex4queue); `queues` counts the queues bound to each.")
            .AllowQuery();
        return routes;
    }

    /// <summary>The drivers ApManager knows (with in_use callbacks, test doubles included) and those the host shows besides.</summary>
    public static Ok<DriverDto[]> ListDrivers(ApSystem system)
    {
        var s = system.Current;
        var counts = s.Queues.Where(q => q.Driver is not null).GroupBy(q => q.Driver!).ToDictionary(g => g.Key, g => g.Count());
        var known = system.Drivers.Registered;
        var hostOnly = s.Host.Drivers.Where(name => known.All(d => d.Name != name));
        return TypedResults.Ok(known.Select(d => new DriverDto(d.Name, d.IsDefault, counts.GetValueOrDefault(d.Name)))
            .Concat(hostOnly.Select(name => new DriverDto(name, WellKnownDrivers.IsDefault(name), counts.GetValueOrDefault(name))))
            .ToArray());
    }
}
