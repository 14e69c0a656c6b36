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

/// <summary>The crypto adapters: list, read, configure/deconfigure (hot plug), online/offline.</summary>
public static class AdapterEndpoints
{
    public static IEndpointRouteBuilder MapAdapterEndpoints(this IEndpointRouteBuilder routes)
    {
        var adapters = routes.MapGroup("/api/adapters").WithTags("Adapters").Read();
        adapters.MapMethods("/", HeadRequests.GetAndHead, ListAdapters)
            .WithName("ListAdapters")
            .SendsETag()
            .SendsNextLink()
            .WithSummary("List the crypto adapters")
            .WithDescription("Every adapter of the host with its type (CEX4..CEX8 with mode letter), mode, whether it is configured and online, and its queues, by id. Paged: `after` (the last id you have) and `limit` (default 1000); a `Link: rel=\"next\"` header points to the next page. The ETag is the global version.")
            .ProducesProblemType(ProblemCatalog.InvalidQuery)
            .AllowQuery("after", "limit");
        adapters.MapMethods("/{id}", HeadRequests.GetAndHead, GetAdapter)
            .WithName("GetAdapter")
            .SendsETag()
            .WithSummary("Read one adapter")
            .WithDescription("`id` is the decimal adapter id 0..255. The ETag is the adapter's version.")
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .AllowQuery();
        adapters.MapPut("/{id}/configured", SetConfigured)
            .WithName("SetAdapterConfigured")
            .SendsETag()
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

        adapters.MapPut("/{id}/online", SetOnline)
            .WithName("SetAdapterOnline")
            .SendsETag()
            .WithSummary("Set an adapter online or offline (chzcrypt -e/-d)")
            .WithDescription("zcrypt's online switch: the adapter and every queue of the host's zcrypt driver on it follow. Online needs a configured adapter without check-stop (409 adapter-deconfigured, the kernel's ENODEV). Setting the state it has is a no-op. If-Match compares with the adapter's version.")
            .Accepts<OnlineRequest>("application/json")
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.InvalidBody)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .ProducesProblemType(ProblemCatalog.VersionMismatch)
            .ProducesProblemType(ProblemCatalog.UnsupportedMediaType)
            .ProducesProblemType(ProblemCatalog.PayloadTooLarge)
            .ProducesProblemType(ProblemCatalog.StorageUnavailable)
            .ProducesProblemType(ProblemCatalog.AdapterDeconfigured)
            .Mutation(Roles.Admin)
            .AllowQuery("dryRun");
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

    public static async Task<Results<Ok<AdapterChangeDto>, ProblemHttpResult>> SetOnline(string id, [AsParameters] MutationRequest request, ApSystem system)
    {
        if (!PathValues.TryId(id, out var n))
        {
            return PathValues.BadId(request.Context, "adapter", id);
        }
        var (body, problem) = await RequestInput.ReadJsonAsync<OnlineRequest>(request.Context, allowEmpty: false);
        if (problem is not null)
        {
            return problem;
        }
        return await Outcomes.ToResultAsync(request, system.SetAdapterOnline(n, body!.Online, request.Options), change =>
        {
            ETags.Set(request.Context, change.Adapter.Version);
            return TypedResults.Ok(new AdapterChangeDto(AdapterDto.From(change.Adapter, change.Queues), ReboundDto.Of(change.Rebound), change.DryRun));
        });
    }
}
