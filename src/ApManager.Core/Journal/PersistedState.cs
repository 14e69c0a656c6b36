using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Journal;

/// <summary>The durable form of a state: what a store keeps and gives back after a restart (<paramref name="Forms"/>: imported mdevctl configs).</summary>
public sealed record PersistedState(
    long GlobalVersion,
    ApMask Apmask,
    ApMask Aqmask,
    long BusVersion,
    IReadOnlyList<(int Id, bool Configured, long Version)> Adapters,
    IReadOnlyList<(MdevId Id, string? Name, Assignment Assignment, string? Guest, long Version)> Devices,
    IReadOnlyDictionary<Apqn, long> QueueVersions,
    IReadOnlyDictionary<MdevId, Persistence.MdevctlDefinition?>? Forms = null)
{
    /// <summary>The configuration a simulated host boots from to show this state again.</summary>
    public InitialState ToInitialState() => new(
        Apmask,
        Aqmask,
        [.. Devices.Select(d => new DeviceSeed(d.Id, d.Name, d.Assignment, d.Guest))],
        Adapters.ToDictionary(a => a.Id, a => a.Configured));
}
