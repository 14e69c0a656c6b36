using ApManager.Api.Access;
using ApManager.Api.Http;
using ApManager.Api.Problems;
using ApManager.Core.Masks;
using ApManager.Core.Persistence;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApManager.Api.Persistence;

/// <summary>What survives a reboot: the persistent masks (chzdev's rules file), the boot preview and the simulated reboot.</summary>
public static class BootEndpoints
{
    public static IEndpointRouteBuilder MapBootEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Persistent definitions").Read();
        group.MapMethods("/bus/persistent", HeadRequests.GetAndHead, GetMasks)
            .WithName("GetPersistentMasks")
            .WithSummary("Read the boot-time masks (chzdev -p -t ap)")
            .WithDescription("`apmask`/`aqmask` as kept in `/etc/udev/rules.d/41-ap.rules`, null when the file does not set one; `bootApmask`/`bootAqmask` what the host comes up with. The ETag is the definitions version.")
            .AllowQuery();

        group.MapPut("/bus/persistent", PutMasks)
            .WithName("PutPersistentMasks")
            .WithSummary("Change the boot-time masks (chzdev -p -t ap apmask=… aqmask=…)")
            .WithDescription("Either mask or both, in the kernel's syntax; relative terms (`+5`, `-0x10`) apply to the persistent value, or the active one where the file sets none (as chzdev does). APQNs of autostart definitions the change newly gives the host refuse it with 409 definition-conflict listing every one.")
            .Accepts<PersistentMasksRequest>("application/json")
            .Produces<PersistentMasksDto>()
            .WithDefinitionProblems()
            .ProducesProblemType(ProblemCatalog.InvalidMask)
            .ProducesProblemType(ProblemCatalog.DefinitionConflict)
            .Mutation(Roles.Operator)
            .AllowQuery("dryRun");

        group.MapMethods("/boot-preview", HeadRequests.GetAndHead, Preview)
            .WithName("GetBootPreview")
            .WithSummary("What the host would come up with after a reboot")
            .WithDescription("The masks at boot, the autostart devices that start (in mdevctl's order) with their matrices and guest matrices, the ones that fail with the step, errno and reason, the manual ones, every conflict among the definitions and unreadable definition files.")
            .AllowQuery();

        group.MapPost("/host/reboot", Reboot)
            .WithName("RebootHost")
            .WithSummary("Reboot the simulated host")
            .WithDescription("Simulated host only (409 unsupported-on-host on a real one): the host comes up as GET /api/boot-preview says, in one audited step; guests are gone. If-Match compares the global version.")
            .Produces<RebootDto>()
            .ProducesProblemType(ProblemCatalog.UnsupportedOnHost)
            .ProducesProblemType(ProblemCatalog.VersionMismatch)
            .ProducesProblemType(ProblemCatalog.StorageUnavailable)
            .Mutation(Roles.Admin)
            .AllowQuery("dryRun");
        return routes;
    }

    public static Ok<PersistentMasksDto> GetMasks(HttpContext context, DefinitionManager definitions)
    {
        var (set, version) = definitions.Read();
        ETags.Set(context, version);
        return TypedResults.Ok(PersistentMasksDto.From(set));
    }

    public static async Task<Results<Ok<PersistentMasksDto>, ProblemHttpResult>> PutMasks([AsParameters] MutationRequest request, DefinitionManager definitions)
    {
        var (body, problem) = await RequestInput.ReadJsonAsync<PersistentMasksRequest>(request.Context, allowEmpty: false);
        if (problem is not null)
        {
            return problem;
        }
        if (body!.Apmask is null && body.Aqmask is null)
        {
            return ProblemFactory.Invalid(request.Context, "apmask", "Give apmask, aqmask or both.");
        }
        var outcome = definitions.PutMasks(body.Apmask is { } ap ? MaskInput.FromString(ap) : null, body.Aqmask is { } aq ? MaskInput.FromString(aq) : null, request.Options);
        return await Outcomes.ToResultAsync(request, outcome, change =>
        {
            ETags.Set(request.Context, change.Version);
            return TypedResults.Ok(PersistentMasksDto.From(change.Set, request.IsDryRun ? true : null));
        });
    }

    public static Ok<BootPreviewDto> Preview(DefinitionManager definitions, ApSystem system)
    {
        var (set, _) = definitions.Read();
        return TypedResults.Ok(BootPreviewDto.From(system.PreviewBoot(set), set, system.Current));
    }

    public static async Task<Results<Ok<RebootDto>, ProblemHttpResult>> Reboot([AsParameters] MutationRequest request, DefinitionManager definitions, ApSystem system)
    {
        var (set, _) = definitions.Read();
        return await Outcomes.ToResultAsync(request, system.Reboot(set, request.Options), result =>
        {
            ETags.Set(request.Context, result.Snapshot.Version);
            return TypedResults.Ok(new RebootDto(result.Snapshot.Version, BootPreviewDto.From(result.Preview, set, result.Snapshot), result.DryRun));
        });
    }
}
