using ApManager.Api.Access;
using ApManager.Api.Http;
using ApManager.Api.Problems;
using ApManager.Core.Drivers;
using ApManager.Core.Matrix;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ApManager.Api.Topology;

/// <summary>Adapters, queues and drivers: what the host has and who owns each AP queue.</summary>
public static class TopologyEndpoints
{
    public static IEndpointRouteBuilder MapTopologyEndpoints(this IEndpointRouteBuilder routes)
    {
        var adapters = routes.MapGroup("/api/adapters").WithTags("Adapters").Read();
        adapters.MapRead("/", ListAdapters)
            .WithName("ListAdapters")
            .WithSummary("List the crypto adapters")
            .WithDescription("Every adapter of the host with its type (CEX4..CEX8 with mode letter), mode, whether it is configured and online, and its queues, by id. Paged: `after` (the last id you have) and `limit` (default 1000); a `Link: rel=\"next\"` header points to the next page. The ETag is the global version.")
            .ProducesProblemType(ProblemCatalog.InvalidQuery)
            .AllowQuery("after", "limit");
        adapters.MapRead("/{id}", GetAdapter)
            .WithName("GetAdapter")
            .WithSummary("Read one adapter")
            .WithDescription("`id` is the decimal adapter id 0..255. The ETag is the adapter's version.")
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .AllowQuery();
        adapters.MapPut("/{id}/configured", SetConfigured)
            .WithName("SetAdapterConfigured")
            .WithSummary("Configure or deconfigure an adapter (hot plug)")
            .WithDescription("Simulates a hardware configure/deconfigure: on deconfigure the adapter's queues vanish and it leaves every guest matrix; on configure the queues come back, bind by the binding rule and the adapter is plugged back into guest matrices where the filter allows. If-Match compares with the adapter's version.")
            .Accepts<ConfiguredRequest>("application/json")
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.InvalidBody)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .ProducesProblemType(ProblemCatalog.VersionMismatch)
            .ProducesProblemType(ProblemCatalog.UnsupportedMediaType)
            .ProducesProblemType(ProblemCatalog.PayloadTooLarge)
            .ProducesProblemType(ProblemCatalog.StorageUnavailable)
            .Mutation(Roles.Admin)
            .AllowQuery("dryRun");

        var queues = routes.MapGroup("/api/queues").WithTags("Queues").Read();
        queues.MapRead("/", ListQueues)
            .WithName("ListQueues")
            .WithSummary("List AP queues with their driver, matrix device and guest")
            .WithDescription("Sorted by APQN. Filters combine: `adapter` and `domain` are decimal ids, `driver` a driver name or `none` for unbound queues, `mdev` a matrix device UUID. Paged: `after` (the last APQN you have) and `limit` (default 1000, at most 10000); a `Link: rel=\"next\"` header points to the next page. An unknown parameter or value is a 400.")
            .ProducesProblemType(ProblemCatalog.InvalidQuery)
            .AllowQuery("adapter", "domain", "driver", "mdev", "after", "limit");
        queues.MapRead("/{apqn}", GetQueue)
            .WithName("GetQueue")
            .WithSummary("Read one AP queue")
            .WithDescription("`apqn` is written as the kernel writes it, e.g. `05.0004`.")
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .AllowQuery();

        routes.MapGroup("/api/drivers").WithTags("Drivers").Read().MapRead("/", ListDrivers)
            .WithName("ListDrivers")
            .WithSummary("List the registered AP drivers")
            .WithDescription("`default` is true for the host's zcrypt drivers (cex4queue); `queues` counts the queues bound to each.")
            .AllowQuery();
        return routes;
    }

    public static Results<Ok<AdapterDto[]>, ProblemHttpResult> ListAdapters(HttpContext context, ApSystem system, [FromQuery] int? after, [FromQuery] int? limit)
    {
        if (!Paging.TryLimit(context, limit, out var take, out var problem))
        {
            return problem!;
        }
        var s = system.Current;
        ETags.Set(context, s.Version);
        var page = Paging.Page(context, s.Adapters.Where(a => after is null || a.Id > after), take, a => a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return TypedResults.Ok(page.Select(a => AdapterDto.From(s, a)).ToArray());
    }

    public static Results<Ok<AdapterDto>, ProblemHttpResult> GetAdapter(HttpContext context, ApSystem system, string id)
    {
        if (!PathValues.TryId(id, out var n))
        {
            return PathValues.BadId(context, "adapter", id);
        }
        var s = system.Current;
        if (s.Adapter(n) is not { } adapter)
        {
            return ProblemFactory.NotFoundProblem(context, "adapter", id);
        }
        ETags.Set(context, adapter.Version);
        return TypedResults.Ok(AdapterDto.From(s, adapter));
    }

    public static async Task<Results<Ok<AdapterChangeDto>, ProblemHttpResult>> SetConfigured(string id, [AsParameters] MutationRequest request, ApSystem system)
    {
        if (!PathValues.TryId(id, out var n))
        {
            return PathValues.BadId(request.Context, "adapter", id);
        }
        var (body, problem) = await RequestInput.ReadJsonAsync<ConfiguredRequest>(request.Context, allowEmpty: false);
        if (problem is not null)
        {
            return problem;
        }
        return await Outcomes.ToResultAsync(request, system.SetAdapterConfigured(n, body!.Configured, request.Options), change =>
        {
            ETags.Set(request.Context, change.Adapter.Version);
            return TypedResults.Ok(new AdapterChangeDto(AdapterDto.From(change.Adapter, change.Queues), ReboundDto.Of(change.Rebound), change.DryRun));
        });
    }

    public static Results<Ok<QueueDto[]>, ProblemHttpResult> ListQueues(
        HttpContext context, ApSystem system, [FromQuery] string? adapter, [FromQuery] string? domain, [FromQuery] string? driver, [FromQuery] string? mdev,
        [FromQuery] string? after, [FromQuery] int? limit)
    {
        if (!Paging.TryLimit(context, limit, out var take, out var limitProblem))
        {
            return limitProblem!;
        }
        Core.Masks.Apqn? afterApqn = null;
        if (after is not null)
        {
            if (!PathValues.TryApqn(after, out var a))
            {
                return ProblemFactory.InvalidQuery(context, "after", after, "Use the APQN of the last queue you have, e.g. 05.0004.");
            }
            afterApqn = a;
        }
        int? adapterId = null, domainId = null;
        if (adapter is not null)
        {
            if (!PathValues.TryId(adapter, out var a))
            {
                return ProblemFactory.InvalidQuery(context, "adapter", adapter, "Use a decimal adapter id 0..255.");
            }
            adapterId = a;
        }
        if (domain is not null)
        {
            if (!PathValues.TryId(domain, out var d))
            {
                return ProblemFactory.InvalidQuery(context, "domain", domain, "Use a decimal domain id 0..255.");
            }
            domainId = d;
        }
        var s = system.Current;
        string? driverName = null;
        var unbound = false;
        if (driver is not null)
        {
            if (driver == "none")
            {
                unbound = true;
            }
            else if (driver is WellKnownDrivers.Cex4Queue or WellKnownDrivers.VfioAp || system.Drivers.IsRegistered(driver))
            {
                driverName = driver;
            }
            else
            {
                return ProblemFactory.InvalidQuery(context, "driver", driver,
                    $"Unknown driver. Use {WellKnownDrivers.Cex4Queue}, {WellKnownDrivers.VfioAp} or none (unbound queues).");
            }
        }
        MdevId? mdevId = null;
        if (mdev is not null)
        {
            if (!MdevId.TryParse(mdev, out var m))
            {
                return ProblemFactory.InvalidQuery(context, "mdev", mdev, "Use a matrix device UUID (8-4-4-4-12).");
            }
            mdevId = m;
        }
        var result = (adapterId is { } only ? s.QueuesOf(only) : s.Queues)
            .Where(q => domainId is null || q.Apqn.Domain == domainId)
            .Where(q => driverName is null || q.Driver == driverName)
            .Where(q => !unbound || q.Driver is null)
            .Where(q => mdevId is null || q.Mdev == mdevId)
            .Where(q => afterApqn is null || q.Apqn > afterApqn.Value);
        ETags.Set(context, s.Version);
        return TypedResults.Ok(Paging.Page(context, result, take, q => q.Apqn.ToString()).Select(QueueDto.From).ToArray());
    }

    public static Results<Ok<QueueDto>, ProblemHttpResult> GetQueue(HttpContext context, ApSystem system, string apqn)
    {
        if (!PathValues.TryApqn(apqn, out var q))
        {
            return PathValues.BadApqn(context, apqn);
        }
        if (system.Current.Queue(q) is not { } queue)
        {
            return ProblemFactory.NotFoundProblem(context, "queue", q.ToString());
        }
        ETags.Set(context, queue.Version);
        return TypedResults.Ok(QueueDto.From(queue));
    }

    public static Ok<DriverDto[]> ListDrivers(ApSystem system)
    {
        var s = system.Current;
        var counts = s.Queues.Where(q => q.Driver is not null).GroupBy(q => q.Driver!).ToDictionary(g => g.Key, g => g.Count());
        return TypedResults.Ok(system.Drivers.Registered
            .Select(d => new DriverDto(d.Name, d.IsDefault, counts.GetValueOrDefault(d.Name)))
            .ToArray());
    }
}
