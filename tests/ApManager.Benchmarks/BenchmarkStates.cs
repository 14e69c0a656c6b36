using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;
using ApManager.Core.State;

namespace ApManager.Benchmarks;

/// <summary>The large states the benchmarks run against.</summary>
internal static class BenchmarkStates
{
    public const int GridDevices = 4096;

    /// <summary>Domains 0..15 stay with the host (aqmask); matrix devices use 16 and up.</summary>
    public const int FirstGridDomain = 16;

    /// <summary>The largest machine the architecture allows: 256 CEX8C adapters, 256 usage and control domains.</summary>
    public static HostTopology Wide { get; } = new(
        255,
        255,
        [.. Enumerable.Range(0, 256).Select(i => new AdapterSpec(i, new CardType(8, CardMode.Cca)))],
        ApMask.Range(0, 255),
        ApMask.Range(0, 255));

    /// <summary>apmask all ones, aqmask = domains 0..15: APQNs on domains 16..255 are not default-owned.</summary>
    public static ApMask WideApmask => ApMask.All;

    public static ApMask WideAqmask => ApMask.Range(0, FirstGridDomain - 1);

    /// <summary>A deterministic version-4-shaped UUID per index.</summary>
    public static MdevId DeviceId(int i) => new(0x0000_0000_0000_4000UL | ((ulong)(uint)i << 32), 0x8000_0000_0000_0000UL | (ulong)(uint)i);

    /// <summary>
    /// 4,096 one-APQN devices that share nothing (I1) and are not default-owned (I2):
    /// device i holds adapter i % 256 and domain 16 + i / 256, so domains 16..31 are used.
    /// </summary>
    public static IEnumerable<DeviceSeed> Grid()
    {
        for (var i = 0; i < GridDevices; i++)
        {
            var assignment = new Assignment(ApMask.Of(i % 256), ApMask.Of(FirstGridDomain + (i / 256)), ApMask.Empty);
            yield return new DeviceSeed(DeviceId(i), null, assignment, null);
        }
    }

    /// <summary>A simulated host booted with every device at once: far faster than thousands of create and config calls.</summary>
    public static ApSystem Create(HostTopology topology, ApMask apmask, ApMask aqmask, IEnumerable<DeviceSeed> devices) =>
        ApSystem.InMemory(topology, new InitialState(apmask, aqmask, [.. devices]));

    /// <summary>Fails setup loudly when a benchmark would measure a refusal instead of the intended path.</summary>
    public static T Expect<T>(Outcome<T> outcome) where T : class =>
        outcome.IsOk ? outcome.Value : throw new InvalidOperationException($"Benchmark setup expected success, got {outcome.Refusal}.");
}
