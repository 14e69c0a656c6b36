using System.Text.Json;
using System.Text.Json.Serialization;
using ApManager.Api.Access;
using ApManager.Api.Http;
using ApManager.Api.Problems;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Persistence;
using ApManager.Core.State;
using ApManager.Core.Transfer;
using Microsoft.AspNetCore.Http.HttpResults;
using ApManager.Api.OpenApi;

namespace ApManager.Api.Transfer;

/// <summary>Export the whole configuration (devices in mdevctl's format) and import it in one atomic step.</summary>
public static class TransferEndpoints
{
    public const string Format = "apmanager/1";
    public const string MdevType = "vfio_ap-passthrough";

    /// <summary>An import may carry thousands of devices; it has its own, larger body limit.</summary>
    public const int MaxImportBytes = 16 * 1024 * 1024;

    /// <summary>A matrix device exactly as mdevctl stores it under /etc/mdevctl.d/matrix/&lt;uuid&gt;.</summary>
    public sealed record MdevctlConfig(
        [property: JsonPropertyName("mdev_type")] string MdevType,
        [property: JsonPropertyName("start")] string Start,
        [property: JsonPropertyName("attrs")] IReadOnlyList<IReadOnlyDictionary<string, string>> Attrs);

    /// <summary>One matrix device: its UUID, its name and its mdevctl configuration.</summary>
    public sealed record ExportMdevDto(string Uuid, [property: JsonPropertyOrder(1)] MdevctlConfig Mdevctl, string? Name = null);

    /// <summary>Whether an adapter is configured.</summary>
    public sealed record ExportAdapterDto(int Id, bool Configured);

    /// <summary>A guest and the matrix device it is attached to.</summary>
    public sealed record ExportGuestDto(string Name, string Mdev);

    /// <summary>The whole configuration.</summary>
    public sealed record ExportDto(string Format, long Version, string Apmask, string Aqmask, IReadOnlyList<ExportAdapterDto> Adapters, IReadOnlyList<ExportMdevDto> Mdevs, IReadOnlyList<ExportGuestDto> Guests,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ExportDefinitionDto>? Definitions = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ExportPersistentMasksDto? PersistentMasks = null);

    /// <summary>A persistent definition exactly as mdevctl keeps it (readable files only).</summary>
    public sealed record ExportDefinitionDto(string Uuid, MdevctlConfig Mdevctl);

    /// <summary>The persistent masks of chzdev's rules file; null where the file sets none.</summary>
    public sealed record ExportPersistentMasksDto(string? Apmask = null, string? Aqmask = null);

    /// <summary>
    /// An import: an export, every member optional. An omitted (or null) member means "unchanged";
    /// a given one replaces what is there (an empty <c>guests</c> detaches every guest).
    /// </summary>
    /// <param name="Apmask">The apmask (kernel syntax); omitted = unchanged.</param>
    /// <param name="Aqmask">The aqmask (kernel syntax); omitted = unchanged.</param>
    /// <param name="Mdevs">Every matrix device; devices not listed are removed; omitted = every device unchanged. Each <c>mdevctl</c> is read as mdevctl reads a file (extra members such as <c>parent</c> ignored); an element may also be a parent object of <c>mdevctl list --dumpjson</c> (<c>{"matrix": [{"&lt;uuid&gt;": {config}}]}</c>), so its output can be pasted as the whole array.</param>
    /// <param name="Format">Must be <c>apmanager/1</c> when given.</param>
    /// <param name="Version">Informational (the export's version); use If-Match to guard the import.</param>
    /// <param name="Adapters">Configured state per adapter; adapters not listed, or an omitted member, stay as they are.</param>
    /// <param name="Guests">Every guest attachment; guests not listed are detached (an empty list detaches all); omitted = every attachment unchanged.</param>
    /// <param name="Definitions">The persistent definitions, replacing all of them; omitted = unchanged. Elements as in <c>mdevs</c> (without <c>name</c>), or the output of <c>mdevctl list -d --dumpjson</c>.</param>
    /// <param name="PersistentMasks">The persistent masks, replacing them; omitted = unchanged.</param>
    public sealed record ImportRequest(string? Apmask = null, string? Aqmask = null, IReadOnlyList<ExportMdevDto>? Mdevs = null, string? Format = null, long? Version = null,
        IReadOnlyList<ExportAdapterDto>? Adapters = null, IReadOnlyList<ExportGuestDto>? Guests = null,
        IReadOnlyList<ExportDefinitionDto>? Definitions = null, ExportPersistentMasksDto? PersistentMasks = null);

    /// <summary>What <see cref="ImportRequest"/> is read into: the mdevctl members as JSON, read the way mdevctl reads them.</summary>
    private sealed record ImportBody(string? Apmask = null, string? Aqmask = null, JsonElement? Mdevs = null, string? Format = null, long? Version = null,
        IReadOnlyList<ExportAdapterDto>? Adapters = null, IReadOnlyList<ExportGuestDto>? Guests = null,
        JsonElement? Definitions = null, ExportPersistentMasksDto? PersistentMasks = null);

    /// <summary>The configuration after the import (or as it would be, for a dry run) and the queues that moved.</summary>
    public sealed record ImportResultDto(ExportDto Configuration, IReadOnlyList<ReboundDto> Rebound, bool Changed, bool DryRun);

    public static IEndpointRouteBuilder MapTransferEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Export and import").Read();
        group.MapMethods("/export", HeadRequests.GetAndHead, Export)
            .WithName("Export")
            .SendsETag()
            .WithSummary("Export the whole configuration")
            .WithDescription("Both masks, configured adapters, every matrix device as mdevctl stores it (`mdev_type`, `start`, ordered `attrs` of one-key objects), the guests, the persistent definitions (`definitions`, readable files only, verbatim) and the persistent masks (`persistentMasks`). A device keeps the mdevctl form it was imported with (values, order, duplicates) while that still gives its matrix, else gets the canonical form (ascending decimal ids); its `start` is its definition's, else the imported one's, else `manual`. POST it to /api/import to restore it.")
            .AllowQuery();
        group.MapPost("/import", Import)
            .WithName("Import")
            .WithSummary("Import a whole configuration in one atomic step")
            .WithDescription("Validates everything and applies it in one step, or changes nothing and answers with the same problems as the individual calls (every offender listed). Every member is optional: an omitted member means unchanged; a given one replaces what is there (devices not in `mdevs` are removed, guests not in `guests` are detached). `definitions` and `persistentMasks`, given, replace the persistent definitions and masks, checked together (409 definition-conflict listing every offender) before anything changes. Each `mdevctl` config is read as mdevctl reads it (extra keys such as `parent` ignored; elements of `mdevctl list --dumpjson` accepted) and kept verbatim for the export while it still gives the device's matrix; `assign_*`/`unassign_*` of adapter, domain and control_domain are applied in order with the kernel's kstrtoul (`5`, `0x5`, `05`, `+5\\n`); anything else is a 400 invalid-request whose `errors` are keyed by JSON path and attribute. If-Match compares with the global version. `?dryRun=true` previews.")
            .Accepts<ImportRequest>("application/json")
            .ProducesProblemType(ProblemCatalog.InvalidMask)
            .ProducesProblemType(ProblemCatalog.InvalidRequest)
            .ProducesProblemType(ProblemCatalog.InvalidBody)
            .ProducesProblemType(ProblemCatalog.IdOutOfRange)
            .ProducesProblemType(ProblemCatalog.NotFound)
            .ProducesProblemType(ProblemCatalog.ApqnOwnedByHost)
            .ProducesProblemType(ProblemCatalog.ApqnConflict)
            .ProducesProblemType(ProblemCatalog.MdevExists)
            .ProducesProblemType(ProblemCatalog.MdevInUse)
            .ProducesProblemType(ProblemCatalog.MdevLimit)
            .ProducesProblemType(ProblemCatalog.VersionMismatch)
            .ProducesProblemType(ProblemCatalog.DefinitionConflict)
            .ProducesProblemType(ProblemCatalog.HostBusy)
            .ProducesProblemType(ProblemCatalog.UnsupportedMediaType)
            .ProducesProblemType(ProblemCatalog.PayloadTooLarge)
            .ProducesProblemType(ProblemCatalog.StorageUnavailable)
            .Mutation(Roles.Admin)
            .AllowQuery("dryRun");
        return routes;
    }

    public static Ok<ExportDto> Export(HttpContext context, ApSystem system, DefinitionManager definitions)
    {
        var s = system.Current;
        ETags.Set(context, s.Version);
        var (set, _) = definitions.Read();
        return TypedResults.Ok(WithPersistence(ToExport(s, set.Defined), set.Masks, set.Defined));
    }

    /// <summary>The export with the persistent definitions (readable ones, verbatim) and masks.</summary>
    public static ExportDto WithPersistence(ExportDto export, PersistentMasks masks, IReadOnlyList<DefinedDevice> definitions) => export with
    {
        Definitions = [.. definitions.Select(d => new ExportDefinitionDto(d.Id.ToString(), Config(d.Definition)))],
        PersistentMasks = new ExportPersistentMasksDto(masks.Apmask?.ToString(), masks.Aqmask?.ToString()),
    };

    /// <summary>The configuration; each device as mdevctl would store it (<see cref="MdevctlMatrix.ForExport"/>, given the persistent definitions).</summary>
    public static ExportDto ToExport(ApSnapshot s, IReadOnlyList<DefinedDevice>? defined = null)
    {
        var persistent = (defined ?? []).ToDictionary(d => d.Id, d => d.Definition);
        return new(
            Format,
            s.Version,
            s.Bus.Apmask.ToString(),
            s.Bus.Aqmask.ToString(),
            [.. s.Adapters.Select(a => new ExportAdapterDto(a.Id, a.Configured))],
            [.. s.Mdevs.Select(m => new ExportMdevDto(m.Id.ToString(), Config(MdevctlMatrix.ForExport(m, persistent.GetValueOrDefault(m.Id))), m.Name))],
            [.. s.Guests.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new ExportGuestDto(g.Key, g.Value.ToString()))]);
    }

    /// <summary>A definition as JSON: the members mdevctl writes, attributes verbatim and in order.</summary>
    public static MdevctlConfig Config(MdevctlDefinition d) =>
        new(MdevType, d.Autostart ? "auto" : "manual", [.. d.Attributes.Select(a => new Dictionary<string, string> { [a.Name] = a.Value })]);

    /// <summary>
    /// The serializer enforces non-null members but not non-null list elements: the first null one, as a JSON path, or null when there is none.
    /// </summary>
    private static string? NullElement(ImportBody body)
    {
        var adapters = body.Adapters ?? [];
        for (var i = 0; i < adapters.Count; i++)
        {
            if (adapters[i] is null)
            {
                return $"$.adapters[{i}]";
            }
        }
        var guests = body.Guests ?? [];
        for (var i = 0; i < guests.Count; i++)
        {
            if (guests[i] is null)
            {
                return $"$.guests[{i}]";
            }
        }
        return null;
    }

    /// <summary>The devices and definitions of an import (null = unchanged), every offender listed by JSON path.</summary>
    private static (IReadOnlyList<ImportedMdevctl>? Devices, IReadOnlyList<ImportedMdevctl>? Definitions, Dictionary<string, string> Errors) ReadMdevctl(ImportBody body)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var devices = body.Mdevs is { ValueKind: not JsonValueKind.Null } m ? MdevctlImportReader.Read(m, "mdevs", named: true, errors) : null;
        var definitions = body.Definitions is { ValueKind: not JsonValueKind.Null } d ? MdevctlImportReader.Read(d, "definitions", named: false, errors) : null;
        return (devices, definitions, errors);
    }

    /// <summary>The persistent masks of an import (null = unchanged), or the problem.</summary>
    private static (PersistentMasks? Masks, ProblemHttpResult? Problem) ReadPersistentMasks(HttpContext context, ImportBody body)
    {
        if (body.PersistentMasks is not { } pm)
        {
            return (null, null);
        }
        var ap = pm.Apmask is { } a ? MaskInput.FromString(a) : (MaskInput?)null;
        var aq = pm.Aqmask is { } q ? MaskInput.FromString(q) : (MaskInput?)null;
        return PersistentMasks.None.TryApply(ap, aq, ApMask.Empty, ApMask.Empty, out var parsed) is { } invalid
            ? (null, RefusalProblems.From(context, invalid))
            : (parsed, null);
    }

    public static async Task<Results<Ok<ImportResultDto>, ProblemHttpResult>> Import([AsParameters] MutationRequest request, ApSystem system, DefinitionManager definitionStore)
    {
        var context = request.Context;
        var (body, problem) = await RequestInput.ReadJsonAsync<ImportBody>(context, allowEmpty: false, MaxImportBytes);
        if (problem is not null)
        {
            return problem;
        }
        if (NullElement(body!) is { } path)
        {
            return ProblemFactory.InvalidBody(context, $"The request body is not valid JSON for this call at {path}: null is not allowed here.");
        }
        if (body!.Format is { } format && format != Format)
        {
            return ProblemFactory.Invalid(context, "$.format", $"Format '{format}' is not '{Format}'.");
        }
        // Every malformed device or definition is listed at once, as a refusal lists every offender.
        var (devices, definitions, errors) = ReadMdevctl(body);
        if (errors.Count == 1)
        {
            var (at, message) = errors.First();
            return ProblemFactory.Invalid(context, at, $"{at}: {message}");
        }
        if (errors.Count > 1)
        {
            return ProblemFactory.Invalid(context,
                $"{errors.Count} values of the import are invalid: {string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value}"))}",
                errors.ToDictionary(e => e.Key, e => new[] { e.Value }));
        }
        var configured = new Dictionary<int, bool>();
        foreach (var adapter in body.Adapters ?? [])
        {
            if (!configured.TryAdd(adapter.Id, adapter.Configured))
            {
                return ProblemFactory.Invalid(context, "$.adapters", $"Adapter {adapter.Id} is listed twice.");
            }
        }
        Dictionary<string, MdevId>? guests = null;
        if (body.Guests is { } given)
        {
            guests = new(StringComparer.Ordinal);
            foreach (var guest in given)
            {
                if (!MdevId.TryParse(guest.Mdev, out var id))
                {
                    return PathValues.BadUuid(context, guest.Mdev);
                }
                if (!guests.TryAdd(guest.Name, id))
                {
                    return ProblemFactory.Result(context, ProblemCatalog.GuestHasMdev, $"Guest '{guest.Name}' is listed for more than one matrix device.",
                        new GuestHasMdevProblem { Guest = guest.Name, Mdev = id.ToString(), Errno = nameof(Core.Errno.EPERM) });
                }
            }
        }
        var (persistentMasks, invalidMasks) = ReadPersistentMasks(context, body);
        if (invalidMasks is not null)
        {
            return invalidMasks;
        }
        IReadOnlyList<DefinedDevice>? defined = definitions?.Select(d => new DefinedDevice(d.Id, d.Definition)).ToList();
        // Checked before anything changes: the import is refused whole when the definitions conflict.
        var (conflict, persistence) = definitionStore.CheckReplaceAll(persistentMasks, defined);
        if (conflict is not null && (defined is not null || persistentMasks is not null))
        {
            return RefusalProblems.From(context, conflict);
        }
        var plan = new ImportPlan(Mask(body.Apmask), Mask(body.Aqmask), configured, devices?.Select(ImportDevice.Of).ToList(), guests);
        var imported = system.Import(plan, request.Options);
        if (await Outcomes.ProblemAsync(request, imported) is { } refused)
        {
            return refused;
        }
        if (persistence && await Outcomes.ProblemAsync(request,
                definitionStore.ReplaceAll(persistentMasks, defined, new WriteOptions(null, request.IsDryRun, request.Options.Actor))) is { } notKept)
        {
            return notKept;
        }
        var result = imported.Value!;
        // What the definitions are now, or would be after a dry run.
        var (set, _) = definitionStore.Read();
        var after = defined ?? set.Defined;
        var configuration = WithPersistence(ToExport(result.Snapshot, after), persistentMasks ?? set.Masks, after);
        return TypedResults.Ok(new ImportResultDto(configuration, ReboundDto.Of(result.Rebound), result.Changed || persistence, result.DryRun));
    }

    private static MaskInput? Mask(string? text) => text is null ? null : MaskInput.FromString(text);
}
