using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Persistence;
using ApManager.Core.State;

namespace ApManager.Api.Persistence;

/// <summary>
/// The defined side of a matrix device (mdevctl's <c>/etc/mdevctl.d/matrix/&lt;uuid&gt;</c>): the ids
/// as ap-check reads them, the attributes exactly as in the file, whether a device with that UUID
/// is active; or, for a file mdevctl cannot read, the problem.
/// </summary>
public sealed record DefinitionDto(
    string Uuid,
    string? Start,
    IReadOnlyList<uint>? Adapters,
    IReadOnlyList<uint>? Domains,
    IReadOnlyList<uint>? ControlDomains,
    IReadOnlyList<IReadOnlyDictionary<string, string>>? Attrs,
    bool Active,
    DefinitionProblemDto? Problem,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? DryRun = null)
{
    public static DefinitionDto From(StoredDefinition entry, ApSnapshot current, bool? dryRun = null)
    {
        var active = current.Mdev(entry.Id) is not null;
        if (entry.Definition is not { } d)
        {
            return new(entry.Id.ToString(), null, null, null, null, null, active, new DefinitionProblemDto(entry.Problem!.Member, entry.Problem.Detail), dryRun);
        }
        var view = d.ApCheck;
        return new(entry.Id.ToString(), d.Autostart ? "auto" : "manual", view.Adapters, view.Domains, view.ControlDomains,
            [.. d.Attributes.Select(a => new Dictionary<string, string> { [a.Name] = a.Value })], active, null, dryRun);
    }
}

/// <summary>Why a definition file cannot be read: the JSON member and what is wrong with it.</summary>
public sealed record DefinitionProblemDto(string Member, string Detail);

/// <summary>PUT /api/mdevs/{uuid}/definition: the start mode and the ids, decimal, 0..255.</summary>
public sealed record DefinitionRequest(string? Start = null, long[]? Adapters = null, long[]? Domains = null, long[]? ControlDomains = null);

/// <summary>POST …/definition/from-active: the start mode (default manual, as <c>mdevctl define</c> without <c>-a</c>).</summary>
public sealed record FromActiveRequest(string? Start = null);

/// <summary>
/// The boot-time masks of chzdev's rules file: null when the file does not set one (the kernel's
/// default, every bit set, applies at boot); <c>bootApmask</c>/<c>bootAqmask</c> what the host comes up with.
/// </summary>
public sealed record PersistentMasksDto(string? Apmask, string? Aqmask, string BootApmask, string BootAqmask, string? Problem,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? DryRun = null)
{
    public static PersistentMasksDto From(DefinitionSet set, bool? dryRun = null) => new(set.Masks.Apmask?.ToString(), set.Masks.Aqmask?.ToString(),
        set.Masks.BootApmask(ApMask.All).ToString(), set.Masks.BootAqmask(ApMask.All).ToString(), set.MasksProblem, dryRun);
}

/// <summary>PUT /api/bus/persistent: either mask or both, in the kernel's syntax; relative terms apply to the persistent value.</summary>
public sealed record PersistentMasksRequest(string? Apmask = null, string? Aqmask = null);

/// <summary>What the host would come up with after a reboot.</summary>
public sealed record BootPreviewDto(
    string Apmask,
    string Aqmask,
    IReadOnlyList<BootDeviceDto> Started,
    IReadOnlyList<BootFailureDto> Failed,
    IReadOnlyList<string> Manual,
    IReadOnlyList<Problems.DefinitionOffenderDto> Conflicts,
    IReadOnlyList<DefinitionDto> Unreadable)
{
    public static BootPreviewDto From(BootPreview p, DefinitionSet set, ApSnapshot current) => new(
        p.Apmask.ToString(),
        p.Aqmask.ToString(),
        [.. p.Started.Select(BootDeviceDto.From)],
        [.. p.Failed.Select(BootFailureDto.From)],
        [.. p.Manual.Select(m => m.ToString())],
        p.Conflicts is { } c ? Offenders(c.Shared, "shared").Concat(Offenders(c.OwnedByHost, "owned-by-host")).ToList() : [],
        [.. set.Entries.Where(e => e.Definition is null).Select(e => DefinitionDto.From(e, current))]);

    internal static IEnumerable<Problems.DefinitionOffenderDto> Offenders(IEnumerable<DefinitionOffender> offenders, string reason) =>
        offenders.Select(o => new Problems.DefinitionOffenderDto(o.Apqn.ToString(), o.Definition.ToString(), o.SharedWith?.ToString(), reason, null, null));
}

/// <summary>A device that comes back: its ids, matrix and guest matrix, and assigned ids the host configuration no longer has.</summary>
public sealed record BootDeviceDto(string Uuid, IReadOnlyList<int> Adapters, IReadOnlyList<int> Domains, IReadOnlyList<int> ControlDomains,
    IReadOnlyList<string> Matrix, IReadOnlyList<string> GuestMatrix, IReadOnlyList<int> MissingAdapters, IReadOnlyList<int> MissingDomains)
{
    public static BootDeviceDto From(BootDevice d) => new(d.Id.ToString(), [.. d.Assignment.Adapters], [.. d.Assignment.Domains], [.. d.Assignment.ControlDomains],
        [.. d.Assignment.Matrix.Select(a => a.ToString())], [.. d.GuestMatrix.Apqns.Select(a => a.ToString())], [.. d.MissingAdapters], [.. d.MissingDomains]);
}

/// <summary>An autostart definition that would not come back: the step (ap-check, create, attribute), the errno and why.</summary>
public sealed record BootFailureDto(string Uuid, string Step, string Errno, string Reason, int? AttributeIndex, IReadOnlyDictionary<string, string>? Attribute,
    IReadOnlyList<Problems.DefinitionOffenderDto> OffendingApqns)
{
    public static BootFailureDto From(BootFailure f) => new(f.Id.ToString(), f.Step switch
    {
        BootStep.ApCheck => "ap-check",
        BootStep.Create => "create",
        _ => "attribute",
    }, f.Errno.ToString(), f.Reason, f.AttributeIndex, f.Attribute is { } a ? new Dictionary<string, string> { [a.Name] = a.Value } : null,
        [.. f.Offenders.Select(o => new Problems.DefinitionOffenderDto(o.Apqn.ToString(), o.Definition.ToString(), o.SharedWith?.ToString(),
            o.SharedWith is null ? "owned-by-host" : "shared", null, null))]);
}

/// <summary>The answer to a simulated reboot: the global version the host came up at and the preview it followed.</summary>
public sealed record RebootDto(long Version, BootPreviewDto Preview, bool DryRun);
