using System.Collections.Immutable;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Persistence;

namespace ApManager.Core.Transfer;

/// <summary>
/// The ids a matrix device ends up with when mdevctl starts it from a definition: each attribute
/// written in order to the vfio_ap sysfs file of that name, the value read by the kernel's
/// <c>kstrtoul(buf, 0)</c>; <c>assign_*</c> adds, <c>unassign_*</c> removes. Null ids with problems
/// when some attribute would fail: every offender, named by its member (<c>attrs[2].assign_domain</c>).
/// </summary>
public sealed record MdevctlMatrix(ImmutableArray<long> Adapters, ImmutableArray<long> Domains, ImmutableArray<long> ControlDomains, ImmutableArray<DefinitionProblem> Problems)
{
    /// <summary>The attributes of a vfio_ap matrix device that ApManager applies.</summary>
    public static readonly ImmutableArray<string> AttributeNames =
        ["assign_adapter", "assign_domain", "assign_control_domain", "unassign_adapter", "unassign_domain", "unassign_control_domain"];

    /// <summary>The highest id an <c>unassign_*</c> may name: above it no host has the id (the kernel answers ENODEV).</summary>
    public const long MaxUnassignId = 255;

    public bool Success => Problems.IsEmpty;

    public static MdevctlMatrix Of(MdevctlDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var problems = new List<DefinitionProblem>();
        if (definition.StartAsWritten is { } start)
        {
            problems.Add(new("start", $"start is {start}; use \"auto\" or \"manual\" (mdevctl would silently read it as manual)."));
        }
        SortedSet<long> adapters = [], domains = [], controls = [];
        for (var i = 0; i < definition.Attributes.Length; i++)
        {
            var (name, value) = definition.Attributes[i];
            var at = $"attrs[{i}].{name}";
            var assign = !name.StartsWith("un", StringComparison.Ordinal);
            var target = name switch
            {
                "assign_adapter" or "unassign_adapter" => adapters,
                "assign_domain" or "unassign_domain" => domains,
                "assign_control_domain" or "unassign_control_domain" => controls,
                _ => null,
            };
            if (target is null)
            {
                problems.Add(new(at, $"Attribute '{name}' is not one ApManager applies to a matrix device; use {string.Join(", ", AttributeNames)}."));
                continue;
            }
            switch (IdText.TryParse(value, out var id))
            {
                case IdText.Error.EINVAL:
                    problems.Add(new(at, $"{name} value '{value}' is not a number the kernel accepts (EINVAL): decimal, 0x hex or 0 octal, one optional + and one trailing newline."));
                    continue;
                case IdText.Error.ERANGE:
                    problems.Add(new(at, $"{name} value '{value}' exceeds 2^64 - 1 (ERANGE)."));
                    continue;
            }
            if (!assign && id > MaxUnassignId)
            {
                problems.Add(new(at, $"{name} value '{value}' is above {MaxUnassignId}: no host has that id (the kernel answers ENODEV)."));
                continue;
            }
            // Above long.MaxValue is out of every range anyway; the range check names it.
            var kept = id > long.MaxValue ? long.MaxValue : (long)id;
            _ = assign ? target.Add(kept) : target.Remove(kept);
        }
        return problems.Count > 0
            ? new([], [], [], [.. problems])
            : new([.. adapters], [.. domains], [.. controls], []);
    }

    /// <summary>Whether starting from <paramref name="definition"/> gives exactly <paramref name="assignment"/>.</summary>
    public static bool Describes(MdevctlDefinition definition, Assignment assignment)
    {
        var m = Of(definition);
        return m.Success && Same(m.Adapters, assignment.Adapters) && Same(m.Domains, assignment.Domains) && Same(m.ControlDomains, assignment.ControlDomains);
    }

    private static bool Same(ImmutableArray<long> ids, ApMask mask) =>
        ids.Length == mask.Count && ids.All(id => id is >= 0 and <= 255 && mask.Contains((int)id));

    /// <summary>
    /// What the export says mdevctl stores for an active device: <c>start</c> from its persistent
    /// definition, else from the form it was imported with, else <c>manual</c> (mdevctl's rule for a
    /// device without a definition); the attributes verbatim from the imported form, else from the
    /// definition, as long as they still give the device's matrix; else ap-check's canonical list
    /// (what <c>mdevctl define</c> of the running device writes).
    /// </summary>
    public static MdevctlDefinition ForExport(MatrixDevice device, MdevctlDefinition? persistent)
    {
        ArgumentNullException.ThrowIfNull(device);
        var start = persistent?.Start ?? device.Mdevctl?.Start ?? StartMode.Manual;
        if (device.Mdevctl is { } imported && Describes(imported, device.Assignment))
        {
            return imported.Start == start ? imported : new MdevctlDefinition(start, imported.Attributes);
        }
        if (persistent is not null && Describes(persistent, device.Assignment))
        {
            return persistent;
        }
        return MdevctlDefinition.FromAssignment(device.Assignment, start);
    }
}
