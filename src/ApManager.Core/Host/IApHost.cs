using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Host;

/// <summary>
/// The machine ApManager models. The simulated host is the only one today; a sysfs-backed host
/// would implement the same interface and leave every rule untouched.
/// </summary>
public interface IApHost
{
    HostTopology Topology { get; }

    /// <summary>The state a fresh store starts from.</summary>
    InitialState InitialState { get; }
}

/// <summary>One matrix device of an initial state or an import.</summary>
public sealed record DeviceSeed(MdevId Id, string? Name, Assignment Assignment, string? Guest);

/// <summary>Masks and devices a fresh state starts with.</summary>
public sealed record InitialState(ApMask Apmask, ApMask Aqmask, IReadOnlyList<DeviceSeed> Devices);

public enum SeedKind
{
    /// <summary>The worked-example configuration of SPEC §7.</summary>
    Demo,

    /// <summary>Kernel boot defaults: both masks all ones, no devices.</summary>
    None,
}

/// <summary>A host whose topology comes from configuration.</summary>
public sealed class SimulatedHost(HostTopology topology, SeedKind seed) : IApHost
{
    public static readonly MdevId DemoDeviceA = MdevId.Parse("0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11");
    public static readonly MdevId DemoDeviceB = MdevId.Parse("5d2e8a41-93c7-4f0b-8b6e-2c4f1a7d9e30");

    public HostTopology Topology { get; } = topology;

    public SeedKind Seed { get; } = seed;

    public InitialState InitialState => Seed == SeedKind.None
        ? new InitialState(ApMask.All, ApMask.All, [])
        : new InitialState(
            ApMask.All.Without(5).Without(6),
            ApMask.All,
            [
                new(DemoDeviceA, "payments-a", new Assignment(ApMask.Of(5), ApMask.Of(4, 71), ApMask.Of(4, 71)), "guest-a"),
                new(DemoDeviceB, "batch-b", new Assignment(ApMask.Of(6), ApMask.Of(4), ApMask.Of(4)), null),
            ]);

    /// <summary>Why the demo state does not fit this topology, or null when it does.</summary>
    public string? CheckSeedFits()
    {
        if (Seed != SeedKind.Demo)
        {
            return null;
        }
        return Topology.MaxAdapterId < 6 || Topology.MaxDomainId < 71
            ? $"Seed 'demo' needs MaxAdapterId >= 6 and MaxDomainId >= 71 (have {Topology.MaxAdapterId} and {Topology.MaxDomainId})."
            : null;
    }
}
