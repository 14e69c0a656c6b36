using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Persistence;
using ApManager.Core.State;

namespace ApManager.Core.Transfer;

/// <summary>A whole configuration to apply in one step; a null member means "unchanged", resolved against the state the step sees.</summary>
/// <param name="Apmask">apmask text (absolute, as exported); null keeps the mask.</param>
/// <param name="Aqmask">aqmask text; null keeps the mask.</param>
/// <param name="Configured">Adapter id to configured; adapters not listed keep their state.</param>
/// <param name="Devices">Every matrix device (devices not listed are removed); null keeps the devices as they are.</param>
/// <param name="Guests">Guest name to the device it is attached to (guests not listed are detached); null keeps every attachment.</param>
public sealed record ImportPlan(
    MaskInput? Apmask,
    MaskInput? Aqmask,
    IReadOnlyDictionary<int, bool> Configured,
    IReadOnlyList<ImportDevice>? Devices,
    IReadOnlyDictionary<string, MdevId>? Guests)
{
    /// <summary>The plan with every omitted member taken from <paramref name="s"/>.</summary>
    public FullImport Complete(ApSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new FullImport(
            Apmask ?? MaskInput.FromString(s.Bus.Apmask.ToString()),
            Aqmask ?? MaskInput.FromString(s.Bus.Aqmask.ToString()),
            Configured,
            Devices ?? [.. s.Mdevs.Select(ImportDevice.Of)],
            Guests ?? s.Guests);
    }
}

/// <summary>An <see cref="ImportPlan"/> with nothing left unchanged: what the import rules judge.</summary>
public sealed record FullImport(
    MaskInput Apmask,
    MaskInput Aqmask,
    IReadOnlyDictionary<int, bool> Configured,
    IReadOnlyList<ImportDevice> Devices,
    IReadOnlyDictionary<string, MdevId> Guests);

/// <summary>
/// One matrix device of an import: ids as mdevctl's attributes leave them (<see cref="MdevctlMatrix"/>),
/// not yet range-checked, and the mdevctl config it came in (kept verbatim for the export).
/// </summary>
public sealed record ImportDevice(MdevId Id, string? Name, IReadOnlyList<long> Adapters, IReadOnlyList<long> Domains, IReadOnlyList<long> ControlDomains,
    MdevctlDefinition? Mdevctl = null)
{
    /// <summary>A device as it is now: an import that omits <c>mdevs</c> keeps it so.</summary>
    public static ImportDevice Of(MatrixDevice m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new(m.Id, m.Name, Ids(m.Adapters), Ids(m.Domains), Ids(m.ControlDomains), m.Mdevctl);
    }

    public static ImportDevice Of(ImportedMdevctl imported)
    {
        ArgumentNullException.ThrowIfNull(imported);
        var m = imported.Matrix;
        return new(imported.Id, imported.Name, m.Adapters, m.Domains, m.ControlDomains, imported.Definition);
    }

    private static long[] Ids(ApMask mask) => [.. mask.ToArray().Select(id => (long)id)];
}
