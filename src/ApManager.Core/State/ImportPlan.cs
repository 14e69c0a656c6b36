using ApManager.Core.Matrix;

namespace ApManager.Core.State;

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
    IReadOnlyList<(MdevId Id, string? Name, IReadOnlyList<long> Adapters, IReadOnlyList<long> Domains, IReadOnlyList<long> ControlDomains)> Devices,
    IReadOnlyDictionary<string, MdevId> Guests);

/// <summary>The answer to an import: the state it produced (or would produce).</summary>
public sealed record ImportResult(ApSnapshot Snapshot, IReadOnlyList<Rebound> Rebound, bool DryRun, bool Changed);
