using System.Globalization;
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

    /// <summary>An import: an export; <c>format</c>, <c>version</c>, <c>adapters</c> and <c>guests</c> may be omitted.</summary>
    /// <remarks>The defaults make those members optional: the strict reader requires every constructor parameter without one.</remarks>
    public sealed record ImportRequest(string Apmask, string Aqmask, IReadOnlyList<ExportMdevDto> Mdevs, string? Format = null, long? Version = null, IReadOnlyList<ExportAdapterDto>? Adapters = null, IReadOnlyList<ExportGuestDto>? Guests = null,
        IReadOnlyList<ExportDefinitionDto>? Definitions = null, ExportPersistentMasksDto? PersistentMasks = null);

    /// <summary>The configuration after the import (or as it would be, for a dry run) and the queues that moved.</summary>
    public sealed record ImportResultDto(ExportDto Configuration, IReadOnlyList<ReboundDto> Rebound, bool Changed, bool DryRun);

    public static IEndpointRouteBuilder MapTransferEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Export and import").Read();
        group.MapMethods("/export", HeadRequests.GetAndHead, Export)
            .WithName("Export")
            .SendsETag()
            .WithSummary("Export the whole configuration")
            .WithDescription("Both masks, configured adapters, every matrix device as mdevctl stores it (`mdev_type`, `start`, ordered `attrs` of one-key objects), the guests, the persistent definitions (`definitions`, readable files only) and the persistent masks (`persistentMasks`). POST it to /api/import to restore it.")
            .AllowQuery();
        group.MapPost("/import", Import)
            .WithName("Import")
            .WithSummary("Import a whole configuration in one atomic step")
            .WithDescription("Validates everything and applies it in one step, or changes nothing and answers with the same problems as the individual calls (every offender listed). Devices not in the import are removed. `definitions` and `persistentMasks` are optional (omitted = unchanged); given, they replace the persistent definitions and masks, checked together (409 definition-conflict listing every offender) before anything changes. `assign_*` values are read as the kernel reads them (`5`, `0x5`, `05`, `+5\\n`). If-Match compares with the global version. `?dryRun=true` previews.")
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
        return TypedResults.Ok(WithPersistence(ToExport(s), set.Masks, set.Defined));
    }

    /// <summary>The export with the persistent definitions (readable ones) and masks.</summary>
    public static ExportDto WithPersistence(ExportDto export, PersistentMasks masks, IReadOnlyList<DefinedDevice> definitions) => export with
    {
        Definitions = [.. definitions.Select(d => new ExportDefinitionDto(d.Id.ToString(), new MdevctlConfig(MdevType, d.Definition.Autostart ? "auto" : "manual",
            [.. d.Definition.Attributes.Select(a => Attr(a.Name, a.Value))])))],
        PersistentMasks = new ExportPersistentMasksDto(masks.Apmask?.ToString(), masks.Aqmask?.ToString()),
    };

    public static ExportDto ToExport(ApSnapshot s) => new(
        Format,
        s.Version,
        s.Bus.Apmask.ToString(),
        s.Bus.Aqmask.ToString(),
        [.. s.Adapters.Select(a => new ExportAdapterDto(a.Id, a.Configured))],
        [.. s.Mdevs.Select(m => new ExportMdevDto(m.Id.ToString(), ToMdevctl(m), m.Name))],
        [.. s.Guests.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new ExportGuestDto(g.Key, g.Value.ToString()))]);

    /// <summary>mdevctl's attribute order: adapters, then domains, then control domains, each ascending.</summary>
    public static MdevctlConfig ToMdevctl(MatrixDevice m)
    {
        var attrs = new List<IReadOnlyDictionary<string, string>>();
        attrs.AddRange(m.Adapters.ToArray().Select(a => Attr("assign_adapter", a.ToString(CultureInfo.InvariantCulture))));
        attrs.AddRange(m.Domains.ToArray().Select(d => Attr("assign_domain", $"0x{d:x}")));
        attrs.AddRange(m.ControlDomains.ToArray().Select(d => Attr("assign_control_domain", $"0x{d:x}")));
        return new MdevctlConfig(MdevType, "auto", attrs);
    }

    /// <summary>
    /// The serializer enforces non-null members but not non-null list elements or dictionary
    /// values: the first null one, as a JSON path, or null when there is none.
    /// </summary>
    private static string? NullElement(ImportRequest body)
    {
        for (var i = 0; i < body.Mdevs.Count; i++)
        {
            if (body.Mdevs[i] is not { } device)
            {
                return $"$.mdevs[{i}]";
            }
            for (var j = 0; j < device.Mdevctl.Attrs.Count; j++)
            {
                if (device.Mdevctl.Attrs[j] is not { } attr)
                {
                    return $"$.mdevs[{i}].mdevctl.attrs[{j}]";
                }
                foreach (var (key, value) in attr)
                {
                    if (value is null)
                    {
                        return $"$.mdevs[{i}].mdevctl.attrs[{j}].{key}";
                    }
                }
            }
        }
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

    private static Dictionary<string, string> Attr(string key, string value) => new() { [key] = value };

    /// <summary>The definitions and persistent masks of an import (null = unchanged), or the first problem.</summary>
    private static (IReadOnlyList<DefinedDevice>? Definitions, PersistentMasks? Masks, ProblemHttpResult? Problem) ReadPersistence(HttpContext context, ImportRequest body)
    {
        List<DefinedDevice>? definitions = null;
        if (body.Definitions is { } given)
        {
            definitions = [];
            for (var i = 0; i < given.Count; i++)
            {
                var field = $"definitions[{i}]";
                if (given[i] is not { } d || d.Mdevctl?.Attrs is null || d.Mdevctl.Attrs.Any(a => a is null || a.Values.Any(v => v is null)))
                {
                    return (null, null, ProblemFactory.InvalidBody(context, $"The request body is not valid JSON for this call at $.{field}: null is not allowed here."));
                }
                if (!MdevId.TryParse(d.Uuid, out var id))
                {
                    return (null, null, PathValues.BadUuid(context, d.Uuid));
                }
                if (d.Mdevctl.MdevType != MdevType || d.Mdevctl.Start is not ("auto" or "manual") || d.Mdevctl.Attrs.Any(a => a.Count != 1))
                {
                    return (null, null, ProblemFactory.Invalid(context, $"{field}.mdevctl", $"A definition has mdev_type '{MdevType}', start auto or manual and attrs of one-key objects."));
                }
                if (definitions.Any(x => x.Id == id))
                {
                    return (null, null, ProblemFactory.Invalid(context, field, $"Definition {id} is listed twice."));
                }
                definitions.Add(new DefinedDevice(id, new MdevctlDefinition(d.Mdevctl.Start == "auto" ? StartMode.Auto : StartMode.Manual,
                    d.Mdevctl.Attrs.Select(a => new MdevctlAttribute(a.First().Key, a.First().Value)))));
            }
        }
        PersistentMasks? masks = null;
        if (body.PersistentMasks is { } pm)
        {
            var ap = pm.Apmask is { } a ? MaskInput.FromString(a) : (MaskInput?)null;
            var aq = pm.Aqmask is { } q ? MaskInput.FromString(q) : (MaskInput?)null;
            if (PersistentMasks.None.TryApply(ap, aq, ApMask.Empty, ApMask.Empty, out var parsed) is { } invalid)
            {
                return (null, null, RefusalProblems.From(context, invalid));
            }
            masks = parsed;
        }
        return (definitions, masks, null);
    }

    public static async Task<Results<Ok<ImportResultDto>, ProblemHttpResult>> Import([AsParameters] MutationRequest request, ApSystem system, DefinitionManager definitionStore)
    {
        var context = request.Context;
        var (body, problem) = await RequestInput.ReadJsonAsync<ImportRequest>(context, allowEmpty: false, MaxImportBytes);
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
            return ProblemFactory.Invalid(context, "format", $"Format '{format}' is not '{Format}'.");
        }
        // Every malformed value of every device is listed at once, as a refusal lists every offender.
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var devices = new List<ImportDevice>();
        foreach (var (device, index) in body.Mdevs.Select((d, i) => (d, i)))
        {
            var field = $"mdevs[{index}]";
            if (!MdevId.TryParse(device.Uuid, out var id))
            {
                return PathValues.BadUuid(context, device.Uuid);
            }
            if (device.Mdevctl.MdevType != MdevType)
            {
                errors[$"{field}.mdevctl.mdev_type"] = [$"mdev_type '{device.Mdevctl.MdevType}' is not '{MdevType}'."];
            }
            if (device.Mdevctl.Start is not ("auto" or "manual"))
            {
                errors[$"{field}.mdevctl.start"] = [$"start '{device.Mdevctl.Start}' is not 'auto' or 'manual'."];
            }
            List<long> adapters = [], domains = [], control = [];
            foreach (var (attr, n) in device.Mdevctl.Attrs.Select((a, i) => (a, i)))
            {
                var at = $"{field}.mdevctl.attrs[{n}]";
                if (attr.Count != 1)
                {
                    errors[at] = ["Each attribute is an object with exactly one key."];
                    continue;
                }
                var (key, value) = attr.First();
                var target = key switch
                {
                    "assign_adapter" => adapters,
                    "assign_domain" => domains,
                    "assign_control_domain" => control,
                    _ => null,
                };
                if (target is null)
                {
                    errors[at] = [$"Unknown attribute '{key}': use assign_adapter, assign_domain or assign_control_domain."];
                    continue;
                }
                switch (IdText.TryParse(value, out var parsed))
                {
                    case IdText.Error.EINVAL:
                        errors[at] = [$"{key} '{value}' is not a number the kernel accepts (EINVAL): decimal, 0x hex or 0 octal, one optional + and trailing newline."];
                        continue;
                    case IdText.Error.ERANGE:
                        errors[at] = [$"{key} '{value}' exceeds 2^64 - 1 (ERANGE)."];
                        continue;
                }
                target.Add(parsed > long.MaxValue ? long.MaxValue : (long)parsed);
            }
            devices.Add(new ImportDevice(id, device.Name, adapters, domains, control));
        }
        if (errors.Count == 1)
        {
            var (at, messages) = errors.First();
            return ProblemFactory.Invalid(context, at, messages[0]);
        }
        if (errors.Count > 1)
        {
            return ProblemFactory.Invalid(context,
                $"{errors.Count} values of the import are invalid: {string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value[0]}"))}", errors);
        }
        var configured = new Dictionary<int, bool>();
        foreach (var adapter in body.Adapters ?? [])
        {
            if (!configured.TryAdd(adapter.Id, adapter.Configured))
            {
                return ProblemFactory.Invalid(context, "adapters", $"Adapter {adapter.Id} is listed twice.");
            }
        }
        var guests = new Dictionary<string, MdevId>(StringComparer.Ordinal);
        foreach (var guest in body.Guests ?? [])
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
        var (definitions, persistentMasks, invalidPersistence) = ReadPersistence(context, body);
        if (invalidPersistence is not null)
        {
            return invalidPersistence;
        }
        // Checked before anything changes: the import is refused whole when the definitions conflict.
        var (conflict, persistence) = definitionStore.CheckReplaceAll(persistentMasks, definitions);
        if (conflict is not null && (definitions is not null || persistentMasks is not null))
        {
            return RefusalProblems.From(context, conflict);
        }
        var plan = new ImportPlan(MaskInput.FromString(body.Apmask), MaskInput.FromString(body.Aqmask), configured, devices, guests);
        var imported = system.Import(plan, request.Options);
        if (await Outcomes.ProblemAsync(request, imported) is { } refused)
        {
            return refused;
        }
        if (persistence && await Outcomes.ProblemAsync(request,
                definitionStore.ReplaceAll(persistentMasks, definitions, new WriteOptions(null, request.IsDryRun, request.Options.Actor))) is { } notKept)
        {
            return notKept;
        }
        var result = imported.Value!;
        // What the definitions are now, or would be after a dry run.
        var (set, _) = definitionStore.Read();
        var configuration = WithPersistence(ToExport(result.Snapshot), persistentMasks ?? set.Masks, definitions ?? set.Defined);
        return TypedResults.Ok(new ImportResultDto(configuration, ReboundDto.Of(result.Rebound), result.Changed || persistence, result.DryRun));
    }
}
