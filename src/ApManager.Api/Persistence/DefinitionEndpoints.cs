using ApManager.Api.Access;
using ApManager.Api.Http;
using ApManager.Api.Mdevs;
using ApManager.Api.Problems;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Persistence;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApManager.Api.Persistence;

/// <summary>Persistent definitions of matrix devices, as mdevctl keeps them: define, inspect, undefine, define from the active device, activate.</summary>
public static class DefinitionEndpoints
{
    public static RouteGroupBuilder MapDefinitionEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/definitions").WithTags("Persistent definitions").Read()
            .MapMethods("/", HeadRequests.GetAndHead, List)
            .WithName("ListDefinitions")
            .WithSummary("List every persistent definition")
            .WithDescription("Every file in mdevctl's matrix directory, sorted by UUID, including definitions with no active device (`active: false`); a file mdevctl cannot read is listed with its `problem`. The ETag is the definitions version, which every definition and persistent-mask change compares If-Match with.")
            .AllowQuery();

        var group = routes.MapGroup("/api/mdevs/{uuid}/definition").WithTags("Persistent definitions").Read();
        group.MapMethods("/", HeadRequests.GetAndHead, Get)
            .WithName("GetDefinition")
            .WithSummary("Read the persistent definition of a matrix device")
            .WithDescription("`start` auto or manual, the ids as ap-check reads them, `attrs` exactly as in the file, `active` whether a device with this UUID exists now. The ETag is the definitions version.")
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .AllowQuery();

        group.MapPut("/", Put)
            .WithName("PutDefinition")
            .WithSummary("Define a matrix device (mdevctl define / modify)")
            .WithDescription("Writes `/etc/mdevctl.d/matrix/<uuid>` as mdevctl does, attributes in ap-check's get-attributes order. An autostart definition is refused with 409 definition-conflict listing every APQN it shares with another autostart definition and every APQN the persistent masks give the host. The active device is not touched.")
            .Accepts<DefinitionRequest>("application/json")
            .Produces<DefinitionDto>()
            .WithDefinitionProblems()
            .ProducesProblemType(ProblemCatalog.InvalidDefinition)
            .ProducesProblemType(ProblemCatalog.DefinitionConflict)
            .Mutation(Roles.Operator)
            .AllowQuery("dryRun");

        group.MapDelete("/", Delete)
            .WithName("DeleteDefinition")
            .WithSummary("Remove the persistent definition (mdevctl undefine)")
            .WithDescription("The active device, if any, is not touched. A dry run answers 204 too, with the header `ApManager-Dry-Run: true`, and removes nothing.")
            .Produces(StatusCodes.Status204NoContent)
            .WithDefinitionProblems()
            .ProducesProblemType(ProblemCatalog.NotFound)
            .Mutation(Roles.Operator)
            .AllowQuery("dryRun");

        group.MapPost("/from-active", FromActive)
            .WithName("DefineFromActive")
            .WithSummary("Define from the active device (mdevctl define -u)")
            .WithDescription("The active device's assignment, decimal, adapters then domains then control domains. `start` defaults to manual. Validated like PUT.")
            .Accepts<FromActiveRequest>("application/json")
            .Produces<DefinitionDto>()
            .WithDefinitionProblems()
            .ProducesProblemType(ProblemCatalog.NotFound)
            .ProducesProblemType(ProblemCatalog.InvalidDefinition)
            .ProducesProblemType(ProblemCatalog.DefinitionConflict)
            .Mutation(Roles.Operator)
            .AllowQuery("dryRun");

        group.MapPost("/activate", Activate)
            .WithName("ActivateDefinition")
            .WithSummary("Create the active device from the definition (mdevctl start)")
            .WithDescription("Creates the matrix device and assigns the defined ids in one step, with the usual 409s; when the assignment is refused the new device is removed again, as mdevctl does. A dry run checks only the creation.")
            .Produces<MdevDto>(StatusCodes.Status201Created)
            .WithDefinitionProblems()
            .ProducesProblemType(ProblemCatalog.NotFound)
            .ProducesProblemType(ProblemCatalog.InvalidDefinition)
            .ProducesProblemType(ProblemCatalog.MdevExists)
            .ProducesProblemType(ProblemCatalog.MdevLimit)
            .ProducesProblemType(ProblemCatalog.IdOutOfRange)
            .ProducesProblemType(ProblemCatalog.ApqnOwnedByHost)
            .ProducesProblemType(ProblemCatalog.ApqnConflict)
            .Mutation(Roles.Operator)
            .AllowQuery("dryRun");
        return group;
    }

    internal static RouteHandlerBuilder WithDefinitionProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblemType(ProblemCatalog.InvalidRequest)
        .ProducesProblemType(ProblemCatalog.InvalidBody)
        .ProducesProblemType(ProblemCatalog.VersionMismatch)
        .ProducesProblemType(ProblemCatalog.UnsupportedMediaType)
        .ProducesProblemType(ProblemCatalog.PayloadTooLarge)
        .ProducesProblemType(ProblemCatalog.HostBusy)
        .ProducesProblemType(ProblemCatalog.StorageUnavailable);

    public static Ok<DefinitionDto[]> List(HttpContext context, DefinitionManager definitions, ApSystem system)
    {
        var (set, version) = definitions.Read();
        ETags.Set(context, version);
        var current = system.Current;
        return TypedResults.Ok(set.Entries.Select(e => DefinitionDto.From(e, current)).ToArray());
    }

    public static Results<Ok<DefinitionDto>, ProblemHttpResult> Get(HttpContext context, string uuid, DefinitionManager definitions, ApSystem system)
    {
        if (!PathValues.TryMdev(uuid, out var id))
        {
            return PathValues.BadUuid(context, uuid);
        }
        var (set, version) = definitions.Read();
        if (set.Find(id) is not { } entry)
        {
            return ProblemFactory.NotFoundProblem(context, "definition", id.ToString());
        }
        ETags.Set(context, version);
        return TypedResults.Ok(DefinitionDto.From(entry, system.Current));
    }

    public static async Task<Results<Ok<DefinitionDto>, ProblemHttpResult>> Put(string uuid, [AsParameters] MutationRequest request, DefinitionManager definitions, ApSystem system)
    {
        if (!PathValues.TryMdev(uuid, out var id))
        {
            return PathValues.BadUuid(request.Context, uuid);
        }
        var (body, problem) = await RequestInput.ReadJsonAsync<DefinitionRequest>(request.Context, allowEmpty: false);
        if (problem is not null)
        {
            return problem;
        }
        if (ToDefinition(request.Context, body!) is not { } definition)
        {
            return InvalidDefinition(request.Context, body!);
        }
        return await ToResult(request, id, definitions.Put(id, definition, request.Options), system);
    }

    public static async Task<Results<Ok<DefinitionDto>, ProblemHttpResult>> FromActive(string uuid, [AsParameters] MutationRequest request, DefinitionManager definitions, ApSystem system)
    {
        if (!PathValues.TryMdev(uuid, out var id))
        {
            return PathValues.BadUuid(request.Context, uuid);
        }
        var (body, problem) = await RequestInput.ReadJsonAsync<FromActiveRequest>(request.Context, allowEmpty: true);
        if (problem is not null)
        {
            return problem;
        }
        if (ParseStart(body?.Start ?? "manual") is not { } start)
        {
            return ProblemFactory.Result(request.Context, ProblemCatalog.InvalidDefinition, "start is auto or manual.",
                new InvalidRequestProblem { Errors = new Dictionary<string, string[]> { ["start"] = ["start is auto or manual."] } });
        }
        return await ToResult(request, id, definitions.DefineFromActive(id, start, request.Options), system);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string uuid, [AsParameters] MutationRequest request, DefinitionManager definitions)
    {
        if (!PathValues.TryMdev(uuid, out var id))
        {
            return PathValues.BadUuid(request.Context, uuid);
        }
        var outcome = definitions.Delete(id, request.Options);
        if (await Outcomes.ProblemAsync(request, outcome) is { } problem)
        {
            return problem;
        }
        ETags.Set(request.Context, outcome.Value!.Version);
        return DryRuns.NoContent(request);
    }

    public static async Task<Results<Created<MdevDto>, ProblemHttpResult>> Activate(string uuid, [AsParameters] MutationRequest request, DefinitionManager definitions, ApSystem system)
    {
        if (!PathValues.TryMdev(uuid, out var id))
        {
            return PathValues.BadUuid(request.Context, uuid);
        }
        if (definitions.Read().Set.Find(id) is not { } entry)
        {
            return ProblemFactory.NotFoundProblem(request.Context, "definition", id.ToString());
        }
        var definition = entry.Definition;
        if (definition is null || definition.ApCheck.Malformed is not null || definition.ApCheck.HasIdAbove255)
        {
            var why = entry.Problem?.Detail ?? definition?.ApCheck.Malformed ?? "An assigned id is above 255.";
            return ProblemFactory.Result(request.Context, ProblemCatalog.InvalidDefinition, $"The definition cannot be started: {why}",
                new InvalidRequestProblem { Errors = new Dictionary<string, string[]> { [entry.Problem?.Member ?? "attrs"] = [why] } });
        }
        var created = system.CreateMdev(id, null, request.Options);
        if (await Outcomes.ProblemAsync(request, created) is { } refused)
        {
            return refused;
        }
        if (request.IsDryRun)
        {
            return TypedResults.Created($"/api/mdevs/{id}", MdevDto.From(created.Value!.Device!, true));
        }
        var view = definition.ApCheck;
        var configured = system.ReplaceConfig(id, Longs(view.Adapters), Longs(view.Domains), Longs(view.ControlDomains),
            new WriteOptions(Actor: request.Options.Actor));
        if (await Outcomes.ProblemAsync(request, configured) is { } problem)
        {
            // mdevctl removes a device whose attributes could not be written: nothing of it stays.
            await system.DeleteMdev(id, new WriteOptions(Actor: request.Options.Actor)).Durable;
            return problem;
        }
        var device = configured.Value!.Device!;
        ETags.Set(request.Context, device.Version);
        return TypedResults.Created($"/api/mdevs/{id}", MdevDto.From(device));
    }

    private static async Task<Results<Ok<DefinitionDto>, ProblemHttpResult>> ToResult(MutationRequest request, MdevId id, Outcome<DefinitionChange> outcome, ApSystem system)
    {
        if (await Outcomes.ProblemAsync(request, outcome) is { } problem)
        {
            return problem;
        }
        var change = outcome.Value!;
        ETags.Set(request.Context, change.Version);
        // A dry run shows the definition the write would leave.
        var entry = change.Candidate is { } candidate ? new StoredDefinition(id, candidate, null) : change.Set.Find(id)!;
        return TypedResults.Ok(DefinitionDto.From(entry, system.Current, request.IsDryRun ? true : null));
    }

    private static long[] Longs(System.Collections.Immutable.ImmutableArray<uint> ids) => [.. ids.Select<uint, long>(x => x)];

    internal static StartMode? ParseStart(string? start) => start switch
    {
        "auto" => StartMode.Auto,
        "manual" => StartMode.Manual,
        _ => null,
    };

    private static MdevctlDefinition? ToDefinition(HttpContext context, DefinitionRequest body)
    {
        if (ParseStart(body.Start) is not { } start || Errors(body).Count > 0)
        {
            return null;
        }
        var assignment = new Assignment(Mask(body.Adapters), Mask(body.Domains), Mask(body.ControlDomains));
        return MdevctlDefinition.FromAssignment(assignment, start);
    }

    private static ApMask Mask(long[]? ids) => ApMask.Of((ids ?? []).Select(i => (int)i));

    private static Dictionary<string, string[]> Errors(DefinitionRequest body)
    {
        var errors = new Dictionary<string, string[]>();
        if (ParseStart(body.Start) is null)
        {
            errors["start"] = [$"start is auto or manual, not {(body.Start is null ? "missing" : $"'{body.Start}'")}."];
        }
        foreach (var (name, ids) in new[] { ("adapters", body.Adapters), ("domains", body.Domains), ("controlDomains", body.ControlDomains) })
        {
            var bad = (ids ?? []).Where(i => i is < 0 or > 255).ToList();
            if (bad.Count > 0)
            {
                errors[name] = [$"Ids are 0..255 (ap-check's masks have 256 bits): {string.Join(", ", bad)}."];
            }
        }
        if ((body.ControlDomains ?? []).Length > 0 && (body.Domains ?? []).Length == 0)
        {
            // ap-check's rule: "At least one usage domain must be specified".
            errors["domains"] = ["At least one usage domain must be specified when control domains are."];
        }
        return errors;
    }

    private static ProblemHttpResult InvalidDefinition(HttpContext context, DefinitionRequest body)
    {
        var errors = Errors(body);
        return ProblemFactory.Result(context, ProblemCatalog.InvalidDefinition, string.Join(" ", errors.Values.SelectMany(v => v)),
            new InvalidRequestProblem { Errors = errors });
    }
}
