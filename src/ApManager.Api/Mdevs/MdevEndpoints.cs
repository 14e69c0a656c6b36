using ApManager.Api.Access;
using ApManager.Api.Http;
using ApManager.Api.Persistence;
using ApManager.Api.Problems;
using ApManager.Core.Host;
using ApManager.Core.Matrix;
using ApManager.Core.Persistence;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ApManager.Api.OpenApi;

namespace ApManager.Api.Mdevs;

/// <summary>vfio_ap matrix devices: create, assign adapters and domains, attach guests.</summary>
public static class MdevEndpoints
{
    public static RouteGroupBuilder MapMdevEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/mdevs").WithTags("Matrix devices").Read();

        group.MapMethods("/", HeadRequests.GetAndHead, List)
            .WithName("ListMdevs")
            .SendsETag()
            .SendsNextLink()
            .WithSummary("List matrix devices")
            .WithDescription("Sorted by UUID. Paged: `after` (the last UUID you have) and `limit` (default 1000, at most 10000); a `Link: rel=\"next\"` header points to the next page. The ETag is the global version, which POST /api/mdevs and import compare If-Match with.")
            .ProducesProblemType(ProblemCatalog.InvalidQuery)
            .AllowQuery("after", "limit");

        group.MapPost("/", Create)
            .WithName("CreateMdev")
            .SendsETag()
            .WithSummary("Create a matrix device")
            .WithDescription("`uuid` is optional (a random version-4 UUID otherwise), `name` optional (at most 64 characters, no control characters). A new device is empty and has no guest. The body may be omitted. `define` (`auto` or `manual`) also writes the device's persistent definition in the same call (mdevctl start + define); if that is refused the new device is removed again. A dry run checks the creation only.")
            .Accepts<CreateMdevRequest>("application/json")
            .Produces<MdevDto>(StatusCodes.Status201Created)
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.InvalidBody)
            .ProducesProblemType(ProblemCatalog.MdevExists)
            .ProducesProblemType(ProblemCatalog.MdevLimit)
            .ProducesProblemType(ProblemCatalog.VersionMismatch)
            .ProducesProblemType(ProblemCatalog.UnsupportedMediaType)
            .ProducesProblemType(ProblemCatalog.PayloadTooLarge)
            .ProducesProblemType(ProblemCatalog.InvalidDefinition)
            .ProducesProblemType(ProblemCatalog.DefinitionConflict)
            .Mutation(Roles.Operator)
            .AllowQuery("dryRun");

        group.MapMethods("/{uuid}", HeadRequests.GetAndHead, Get)
            .WithName("GetMdev")
            .SendsETag()
            .WithSummary("Read one matrix device")
            .WithDescription("Its assigned ids, the matrix (adapters × domains), the guest matrix the guest really gets after filtering, and the guest. The ETag is the device's version.")
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .AllowQuery();

        group.MapDelete("/{uuid}", Delete)
            .WithName("DeleteMdev")
            .WithSummary("Delete a matrix device")
            .WithDescription("Refused with 409 mdev-in-use while a guest is attached. Its queues stay on vfio_ap. A dry run answers 204 too, with the header `ApManager-Dry-Run: true`, and deletes nothing.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .ProducesProblemType(ProblemCatalog.MdevInUse)
            .ProducesProblemType(ProblemCatalog.VersionMismatch)
            .Mutation(Roles.Operator)
            .AllowQuery("dryRun");

        MapAssignment(group, "adapters", AssignTarget.Adapter, "adapter");
        MapAssignment(group, "domains", AssignTarget.Domain, "usage domain");
        MapAssignment(group, "control-domains", AssignTarget.ControlDomain, "control domain");

        group.MapPut("/{uuid}/config", ReplaceConfig)
            .WithName("ReplaceMdevConfig")
            .SendsETag()
            .WithSummary("Replace the whole assignment in one atomic step")
            .WithDescription("Validated as a whole, all or nothing: every id in range (400 naming every bad id), no APQN of adapters × domains owned by the host (409), no overlap with another device (409). Equal to the current assignment: 200, nothing changes. Removed ids are unplugged from the guest and added ones plugged in the same step.")
            .Accepts<MdevConfigRequest>("application/json")
            .WithAssignmentProblems()
            .Mutation(Roles.Operator)
            .AllowQuery("dryRun");

        group.MapPut("/{uuid}/guest", AttachGuest)
            .WithName("AttachGuest")
            .SendsETag()
            .WithSummary("Attach a guest")
            .WithDescription("One guest per device and one device per guest. Attaching the same guest again is a no-op. The guest matrix shows what the guest gets.")
            .Accepts<GuestRequest>("application/json")
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.InvalidBody)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .ProducesProblemType(ProblemCatalog.MdevInUse)
            .ProducesProblemType(ProblemCatalog.GuestHasMdev)
            .ProducesProblemType(ProblemCatalog.GuestManagedByLibvirt)
            .ProducesProblemType(ProblemCatalog.VersionMismatch)
            .ProducesProblemType(ProblemCatalog.UnsupportedMediaType)
            .ProducesProblemType(ProblemCatalog.PayloadTooLarge)
            .Mutation(Roles.Operator)
            .AllowQuery("dryRun");

        group.MapDelete("/{uuid}/guest", DetachGuest)
            .WithName("DetachGuest")
            .SendsETag()
            .WithSummary("Detach the guest")
            .WithDescription("A device without a guest answers 200 unchanged.")
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .ProducesProblemType(ProblemCatalog.GuestManagedByLibvirt)
            .ProducesProblemType(ProblemCatalog.VersionMismatch)
            .Mutation(Roles.Operator)
            .AllowQuery("dryRun");

        return group;
    }

    private static void MapAssignment(RouteGroupBuilder group, string segment, AssignTarget target, string what)
    {
        var pascal = target.ToString();
        var checks = target == AssignTarget.ControlDomain
            ? "Control domains are checked for range only."
            : "Checks in the kernel's order: id above the host maximum (400 id-out-of-range), already assigned (200, no further check), APQNs owned by the host's default drivers (409 apqn-owned-by-host), APQNs held by another device (409 apqn-conflict). Over-provisioning is allowed.";
        group.MapPut($"/{{uuid}}/{segment}/{{id}}",
                (string uuid, string id, [AsParameters] MutationRequest request, ApSystem system) => Assign(request, system, uuid, id, target, true))
            .WithName($"Assign{pascal}")
            .SendsETag()
            .WithSummary($"Assign a {what}")
            .WithDescription($"`id` is decimal. {checks} Allowed while a guest is attached: a hot plug, the guest matrix follows at once.")
            .WithAssignmentProblems()
            .Mutation(Roles.Operator)
            .AllowQuery("dryRun");
        group.MapDelete($"/{{uuid}}/{segment}/{{id}}",
                (string uuid, string id, [AsParameters] MutationRequest request, ApSystem system) => Assign(request, system, uuid, id, target, false))
            .WithName($"Unassign{pascal}")
            .SendsETag()
            .WithSummary($"Unassign a {what}")
            .WithDescription("Not assigned: 200, nothing changes. With a guest attached this is a hot unplug.")
            .WithAssignmentProblems()
            .Mutation(Roles.Operator)
            .AllowQuery("dryRun");
    }

    private static RouteHandlerBuilder WithAssignmentProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblemType(ProblemCatalog.IdOutOfRange)
        .ProducesProblemType(ProblemCatalog.InvalidRequest)
        .ProducesProblemType(ProblemCatalog.InvalidBody)
        .ProducesProblemType(ProblemCatalog.NotFound)
        .ProducesProblemType(ProblemCatalog.ApqnOwnedByHost)
        .ProducesProblemType(ProblemCatalog.ApqnConflict)
        .ProducesProblemType(ProblemCatalog.VersionMismatch)
        .ProducesProblemType(ProblemCatalog.UnsupportedMediaType)
        .ProducesProblemType(ProblemCatalog.PayloadTooLarge)
        .ProducesProblemType(ProblemCatalog.StorageUnavailable);

    public static Results<Ok<MdevDto[]>, ProblemHttpResult> List(HttpContext context, ApSystem system, [FromQuery] string? after, [FromQuery] int? limit)
    {
        if (!Paging.TryLimit(context, limit, out var take, out var problem))
        {
            return problem!;
        }
        MdevId? afterId = null;
        if (after is not null)
        {
            if (!MdevId.TryParse(after, out var a))
            {
                return ProblemFactory.InvalidQuery(context, "after", after, "Use the UUID of the last matrix device you have.");
            }
            afterId = a;
        }
        var s = system.Current;
        ETags.Set(context, s.Version);
        var devices = s.Mdevs.Where(m => afterId is null || m.Id.CompareTo(afterId.Value) > 0);
        return TypedResults.Ok(Paging.Page(context, devices, take, m => m.Id.ToString()).Select(m => MdevDto.From(m)).ToArray());
    }

    public static Results<Ok<MdevDto>, ProblemHttpResult> Get(HttpContext context, ApSystem system, string uuid)
    {
        if (!PathValues.TryMdev(uuid, out var id))
        {
            return PathValues.BadUuid(context, uuid);
        }
        if (system.Current.Mdev(id) is not { } device)
        {
            return ProblemFactory.NotFoundProblem(context, "matrix device", id.ToString());
        }
        ETags.Set(context, device.Version);
        return TypedResults.Ok(MdevDto.From(device));
    }

    public static async Task<Results<Created<MdevDto>, ProblemHttpResult>> Create([AsParameters] MutationRequest request, ApSystem system, DefinitionManager definitions)
    {
        var (body, problem) = await RequestInput.ReadJsonAsync<CreateMdevRequest>(request.Context, allowEmpty: true);
        if (problem is not null)
        {
            return problem;
        }
        StartMode? define = null;
        if (body?.Define is { } defineText)
        {
            if (DefinitionEndpoints.ParseStart(defineText) is not { } start)
            {
                return ProblemFactory.Result(request.Context, ProblemCatalog.InvalidDefinition, "define is auto or manual.",
                    new InvalidRequestProblem { Errors = new Dictionary<string, string[]> { ["define"] = ["define is auto or manual."] } });
            }
            define = start;
        }
        MdevId? id = null;
        if (body?.Uuid is { } text)
        {
            if (!MdevId.TryParse(text, out var parsed))
            {
                return PathValues.BadUuid(request.Context, text);
            }
            id = parsed;
        }
        var created = system.CreateMdev(id, body?.Name, request.Options);
        if (define is { } mode && !request.IsDryRun && created.Value?.Device is { } made)
        {
            // Wait for the create to be durable first: its refusal answers as usual below.
            await created.Durable;
            var defined = definitions.DefineFromActive(made.Id, mode, request.Options);
            if (await Outcomes.ProblemAsync(request, defined) is { } refused)
            {
                // One call, one outcome: a device whose definition could not be written is not left behind.
                await system.DeleteMdev(made.Id, new WriteOptions(Actor: request.Options.Actor)).Durable;
                return refused;
            }
        }
        return await Outcomes.ToResultAsync(request, created, change =>
        {
            var device = change.Device!;
            ETags.Set(request.Context, device.Version);
            return TypedResults.Created($"/api/mdevs/{device.Id}", MdevDto.From(device, Flag(request)));
        });
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string uuid, [AsParameters] MutationRequest request, ApSystem system)
    {
        if (!PathValues.TryMdev(uuid, out var id))
        {
            return PathValues.BadUuid(request.Context, uuid);
        }
        if (await Outcomes.ProblemAsync(request, system.DeleteMdev(id, request.Options)) is { } problem)
        {
            return problem;
        }
        return DryRuns.NoContent(request);
    }

    public static async Task<Results<Ok<MdevDto>, ProblemHttpResult>> Assign(MutationRequest request, ApSystem system, string uuid, string id, AssignTarget target, bool assign)
    {
        if (!PathValues.TryMdev(uuid, out var mdev))
        {
            return PathValues.BadUuid(request.Context, uuid);
        }
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            return PathValues.BadId(request.Context, target.KindName(), id);
        }
        return await ToResult(request, system.Assign(mdev, target, n, assign, request.Options));
    }

    public static async Task<Results<Ok<MdevDto>, ProblemHttpResult>> ReplaceConfig(string uuid, [AsParameters] MutationRequest request, ApSystem system)
    {
        if (!PathValues.TryMdev(uuid, out var mdev))
        {
            return PathValues.BadUuid(request.Context, uuid);
        }
        var (body, problem) = await RequestInput.ReadJsonAsync<MdevConfigRequest>(request.Context, allowEmpty: false);
        if (problem is not null)
        {
            return problem;
        }
        return await ToResult(request, system.ReplaceConfig(mdev, [.. body!.Adapters], [.. body.Domains], [.. body.ControlDomains], request.Options));
    }

    public static async Task<Results<Ok<MdevDto>, ProblemHttpResult>> AttachGuest(string uuid, [AsParameters] MutationRequest request, ApSystem system)
    {
        if (!PathValues.TryMdev(uuid, out var mdev))
        {
            return PathValues.BadUuid(request.Context, uuid);
        }
        var (body, problem) = await RequestInput.ReadJsonAsync<GuestRequest>(request.Context, allowEmpty: false);
        if (problem is not null)
        {
            return problem;
        }
        return await ToResult(request, system.AttachGuest(mdev, body!.Name, request.Options));
    }

    public static async Task<Results<Ok<MdevDto>, ProblemHttpResult>> DetachGuest(string uuid, [AsParameters] MutationRequest request, ApSystem system)
    {
        if (!PathValues.TryMdev(uuid, out var mdev))
        {
            return PathValues.BadUuid(request.Context, uuid);
        }
        return await ToResult(request, system.DetachGuest(mdev, request.Options));
    }

    private static Task<Results<Ok<MdevDto>, ProblemHttpResult>> ToResult(MutationRequest request, Outcome<MdevChange> outcome) =>
        Outcomes.ToResultAsync(request, outcome, change =>
        {
            var device = change.Device!;
            ETags.Set(request.Context, device.Version);
            return TypedResults.Ok(MdevDto.From(device, Flag(request)));
        });

    private static bool? Flag(MutationRequest request) => request.IsDryRun ? true : null;
}
