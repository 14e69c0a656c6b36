using ApManager.Api.Access;
using ApManager.Api.Http;
using ApManager.Api.Problems;
using ApManager.Core.Masks;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.HttpResults;
using ApManager.Api.OpenApi;

namespace ApManager.Api.Bus;

/// <summary>The AP bus permission masks: read them and write them with the kernel's syntax.</summary>
public static class BusEndpoints
{
    public static RouteGroupBuilder MapBusEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/bus").WithTags("Bus").Read();

        group.MapMethods("/", HeadRequests.GetAndHead, GetBus)
            .WithName("GetBus")
            .Produces<BusDto>()
            .SendsETag()
            .WithSummary("Read both permission masks")
            .WithDescription("Returns apmask and aqmask exactly as /sys/bus/ap shows them (0x and 64 hex digits, bit 0 = most significant bit of the first digit), the host's id maxima and the bus version, also sent as a strong ETag.")
            .AllowQuery();

        group.MapPut("/apmask", PutApmask)
            .WithName("WriteApmask")
            .SendsETag()
            .WithSummary("Write apmask (adapters) as with echo into /sys/bus/ap/apmask")
            .WithDescription("Takes exactly what a user would echo: absolute hex (`0xf9ff…`) or relative terms (`+5,+6`, `-0-255,+7`). Send JSON `{\"mask\": \"+5\"}` or the raw text with Content-Type text/plain (a trailing newline is fine). Before queues move to the host's default drivers, every driver's in_use callback is asked; any objection refuses the whole write with 409 listing every offending APQN, its driver, matrix device and guest. An empty write is a no-op.")
            .Accepts<MaskWriteRequest>("application/json", "text/plain")
            .WithMaskProblems()
            .Mutation(Roles.Admin)
            .AllowQuery("dryRun");

        group.MapPut("/aqmask", PutAqmask)
            .WithName("WriteAqmask")
            .SendsETag()
            .WithSummary("Write aqmask (usage domains) as with echo into /sys/bus/ap/aqmask")
            .WithDescription("Same syntax and checks as apmask, over domains: queues become host-owned where apmask × the newly set aqmask bits meet.")
            .Accepts<MaskWriteRequest>("application/json", "text/plain")
            .WithMaskProblems()
            .Mutation(Roles.Admin)
            .AllowQuery("dryRun");

        group.MapPatch("/masks", PatchMasks)
            .WithName("WriteMasks")
            .SendsETag()
            .WithSummary("Write apmask and aqmask in one atomic step")
            .WithDescription("Both writes are parsed (apmask first), then one in_use check runs over the combined difference (new apm × new aqm) − (old apm × old aqm); both masks change together or neither does. Either member may be omitted, not both.")
            .Accepts<MasksPatchRequest>("application/json", "application/merge-patch+json")
            .WithMaskProblems()
            .Mutation(Roles.Admin)
            .AllowQuery("dryRun");

        return group;
    }

    private static RouteHandlerBuilder WithMaskProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblemType(ProblemCatalog.InvalidMask)
        .ProducesProblemType(ProblemCatalog.InvalidBody)
        .ProducesProblemType(ProblemCatalog.InvalidQuery)
        .ProducesProblemType(ProblemCatalog.QueuesInUse)
        .ProducesProblemType(ProblemCatalog.VersionMismatch)
        .ProducesProblemType(ProblemCatalog.PayloadTooLarge)
        .ProducesProblemType(ProblemCatalog.UnsupportedMediaType)
        .ProducesProblemType(ProblemCatalog.InUseCheckFailed)
        .ProducesProblemType(ProblemCatalog.StorageUnavailable);

    public static IResult GetBus(HttpContext context, ApSystem system, SnapshotBody<BusDto> body)
    {
        var s = system.Current;
        ETags.Set(context, s.Bus.Version);
        return body.Ok(s);
    }

    public static async Task<Results<Ok<BusChangeDto>, ProblemHttpResult>> PutApmask([AsParameters] MutationRequest request, ApSystem system) =>
        await WriteOne(request, system, apmask: true);

    public static async Task<Results<Ok<BusChangeDto>, ProblemHttpResult>> PutAqmask([AsParameters] MutationRequest request, ApSystem system) =>
        await WriteOne(request, system, apmask: false);

    private static async Task<Results<Ok<BusChangeDto>, ProblemHttpResult>> WriteOne(MutationRequest request, ApSystem system, bool apmask)
    {
        var (input, problem) = await RequestInput.ReadMaskAsync(request.Context);
        if (problem is not null)
        {
            return problem;
        }
        var outcome = apmask ? system.ChangeMasks(input, null, request.Options) : system.ChangeMasks(null, input, request.Options);
        return await ToResult(request, outcome);
    }

    public static async Task<Results<Ok<BusChangeDto>, ProblemHttpResult>> PatchMasks([AsParameters] MutationRequest request, ApSystem system)
    {
        var (body, problem) = await RequestInput.ReadJsonAsync<MasksPatchRequest>(request.Context, allowEmpty: false);
        if (problem is not null)
        {
            return problem;
        }
        if (body!.Apmask is null && body.Aqmask is null)
        {
            return ProblemFactory.Invalid(request.Context, "body", "Give apmask, aqmask or both.");
        }
        var outcome = system.ChangeMasks(
            body.Apmask is null ? null : MaskInput.FromString(body.Apmask),
            body.Aqmask is null ? null : MaskInput.FromString(body.Aqmask),
            request.Options);
        return await ToResult(request, outcome);
    }

    private static Task<Results<Ok<BusChangeDto>, ProblemHttpResult>> ToResult(MutationRequest request, Outcome<BusChange> outcome) =>
        Outcomes.ToResultAsync(request, outcome, change =>
        {
            ETags.Set(request.Context, change.Bus.Version);
            return TypedResults.Ok(BusChangeDto.From(change));
        });
}
