using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Transfer;

/// <summary>A whole configuration to apply in one step: masks, configured adapters, devices and guests.</summary>
/// <param name="Apmask">apmask text (absolute, as exported).</param>
/// <param name="Aqmask">aqmask text.</param>
/// <param name="Configured">Adapter id to configured; adapters not listed keep their state.</param>
/// <param name="Devices">Every matrix device; devices not listed are removed.</param>
/// <param name="Guests">Guest name to the device it is attached to.</param>
public sealed record ImportPlan(
    MaskInput Apmask,
    MaskInput Aqmask,
    IReadOnlyDictionary<int, bool> Configured,
    IReadOnlyList<ImportDevice> Devices,
    IReadOnlyDictionary<string, MdevId> Guests);

/// <summary>One matrix device of an import: ids as read from mdevctl's <c>assign_*</c> values, not yet range-checked.</summary>
public sealed record ImportDevice(MdevId Id, string? Name, IReadOnlyList<long> Adapters, IReadOnlyList<long> Domains, IReadOnlyList<long> ControlDomains);
