using ApManager.Api.Access;
using ApManager.Api.Http;
using ApManager.Api.Problems;
using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ApManager.Api.OpenApi;

namespace ApManager.Api.Topology;

/// <summary>The AP queues: who owns each (driver, matrix device, guest), and zcrypt's online switch.</summary>
public static class QueueEndpoints
{
    public static IEndpointRouteBuilder MapQueueEndpoints(this IEndpointRouteBuilder routes)
    {
        var queues = routes.MapGroup("/api/queues").WithTags("Queues").Read();
        queues.MapMethods("/", HeadRequests.GetAndHead, ListQueues)
            .WithName("ListQueues")
            .SendsETag()
            .SendsNextLink()
            .WithSummary("List AP queues with their driver, matrix device and guest")
            .WithDescription("Sorted by APQN. Filters combine: `adapter` and `domain` are decimal ids, `driver` a driver name or `none` for unbound queues, `mdev` a matrix device UUID. Paged: `after` (the last APQN you have) and `limit` (default 1000, at most 10000); a `Link: rel=\"next\"` header points to the next page. An unknown parameter or value is a 400.")
            .ProducesProblemType(ProblemCatalog.InvalidQuery)
            .AllowQuery("adapter", "domain", "driver", "mdev", "after", "limit");
        queues.MapMethods("/{apqn}", HeadRequests.GetAndHead, GetQueue)
            .WithName("GetQueue")
            .SendsETag()
            .WithSummary("Read one AP queue")
            .WithDescription("`apqn` is written as the kernel writes it, e.g. `05.0004`.")
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .AllowQuery();

        queues.MapPut("/{apqn}/online", SetOnline)
            .WithName("SetQueueOnline")
            .SendsETag()
            .WithSummary("Set a queue online or offline (chzcrypt -e/-d)")
            .WithDescription("zcrypt's online switch of one queue: only queues bound to the host's zcrypt driver (cex4queue) have one (409 no-online-switch). Online needs a configured adapter without check-stop (409 adapter-deconfigured, ENODEV) that is itself online (400 adapter-offline, EINVAL). If-Match compares with the queue's version.")
            .Accepts<OnlineRequest>("application/json")
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.InvalidBody)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .ProducesProblemType(ProblemCatalog.VersionMismatch)
            .ProducesProblemType(ProblemCatalog.UnsupportedMediaType)
            .ProducesProblemType(ProblemCatalog.PayloadTooLarge)
            .ProducesProblemType(ProblemCatalog.StorageUnavailable)
            .ProducesProblemType(ProblemCatalog.AdapterDeconfigured)
            .ProducesProblemType(ProblemCatalog.AdapterOffline)
            .ProducesProblemType(ProblemCatalog.NoOnlineSwitch)
            .Mutation(Roles.Admin)
            .AllowQuery("dryRun");
        return routes;
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

    public static async Task<Results<Ok<QueueChangeDto>, ProblemHttpResult>> SetOnline(string apqn, [AsParameters] MutationRequest request, ApSystem system)
    {
        if (!PathValues.TryApqn(apqn, out var q))
        {
            return PathValues.BadApqn(request.Context, apqn);
        }
        var (body, problem) = await RequestInput.ReadJsonAsync<OnlineRequest>(request.Context, allowEmpty: false);
        if (problem is not null)
        {
            return problem;
        }
        return await Outcomes.ToResultAsync(request, system.SetQueueOnline(q, body!.Online, request.Options), change =>
        {
            ETags.Set(request.Context, change.Queue.Version);
            return TypedResults.Ok(new QueueChangeDto(QueueDto.From(change.Queue), change.DryRun));
        });
    }
}
