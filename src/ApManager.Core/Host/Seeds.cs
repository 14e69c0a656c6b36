using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Host;

/// <summary>One matrix device of an initial state: its UUID, ApManager's name for it, its assignment and the guest using it.</summary>
public sealed record DeviceSeed(MdevId Id, string? Name, Assignment Assignment, string? Guest);

/// <summary>
/// A configuration a host starts from: masks, matrix devices and, where given, which adapters are
/// configured (adapters not listed keep the topology's setting).
/// </summary>
public sealed record InitialState(ApMask Apmask, ApMask Aqmask, IReadOnlyList<DeviceSeed> Devices, IReadOnlyDictionary<int, bool>? Configured = null);

public enum SeedKind
{
    /// <summary>The worked-example configuration of SPEC §7.</summary>
    Demo,

    /// <summary>Kernel boot defaults: both masks all ones, no devices.</summary>
    None,
}

/// <summary>The configurations a fresh store starts from (SPEC §7).</summary>
public static class Seeds
{
    public static readonly MdevId DemoDeviceA = MdevId.Parse("0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11");
    public static readonly MdevId DemoDeviceB = MdevId.Parse("5d2e8a41-93c7-4f0b-8b6e-2c4f1a7d9e30");

    /// <summary>Kernel boot defaults: both masks all ones, no matrix devices, no guests.</summary>
    public static InitialState BootDefaults { get; } = new(ApMask.All, ApMask.All, []);

    /// <summary>apmask without adapters 5 and 6; device A (adapter 5, domains 4 and 71, guest-a) and device B (adapter 6, domain 4).</summary>
    public static InitialState Demo { get; } = new(
        ApMask.All.Without(5).Without(6),
        ApMask.All,
        [
            new(DemoDeviceA, "payments-a", new Assignment(ApMask.Of(5), ApMask.Of(4, 71), ApMask.Of(4, 71)), "guest-a"),
            new(DemoDeviceB, "batch-b", new Assignment(ApMask.Of(6), ApMask.Of(4), ApMask.Of(4)), null),
        ]);

    public static InitialState For(SeedKind kind) => kind == SeedKind.None ? BootDefaults : Demo;

    /// <summary>Why the seed does not fit this topology, or null when it does.</summary>
    public static string? CheckFits(SeedKind kind, HostTopology topology) =>
        kind == SeedKind.Demo && (topology.MaxAdapterId < 6 || topology.MaxDomainId < 71)
            ? $"Seed 'demo' needs MaxAdapterId >= 6 and MaxDomainId >= 71 (have {topology.MaxAdapterId} and {topology.MaxDomainId})."
            : null;
}
