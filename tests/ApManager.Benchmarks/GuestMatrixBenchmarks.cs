using ApManager.Core.Host.Simulated;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.State;
using BenchmarkDotNet.Attributes;

namespace ApManager.Benchmarks;

/// <summary>
/// SPEC §6: recomputing the guest matrix (shadow) of a 16-adapter x 85-domain device, alone and
/// as part of a hot-plug step. Target ≤ 20 µs.
/// </summary>
[MemoryDiagnoser]
public class GuestMatrixBenchmarks
{
    private const int PluggedDomain = 84;

    private ApSystem _system = null!;
    private MdevId _device;
    private Assignment _full;
    private BindingContext _binding;

    [GlobalSetup]
    public void Setup()
    {
        // A current machine: ids 0..63 x 0..84, adapters 0..15 CEX8C, 16..23 CEX8P, every domain usable.
        var topology = new HostTopology(
            63,
            84,
            [.. Enumerable.Range(0, 24).Select(i => new AdapterSpec(i, new CardType(8, i < 16 ? CardMode.Cca : CardMode.Ep11)))],
            ApMask.Range(0, 84),
            ApMask.Range(0, 84));
        _device = BenchmarkStates.DeviceId(1);
        _full = new Assignment(ApMask.Range(0, 15), ApMask.Range(0, 84), ApMask.Range(0, 84));
        // The guest starts with domains 0..83; the benchmark plugs and unplugs domain 84.
        var seed = new DeviceSeed(_device, "vm-1", _full with { Domains = ApMask.Range(0, 83) }, "guest-1");
        // The host keeps adapters 16..255 (apmask); adapters 0..15 belong to vfio_ap on every domain.
        _system = BenchmarkStates.Create(topology, ApMask.All.Except(ApMask.Range(0, 15)), ApMask.All, [seed]);
        _binding = BindingContext.Of(_system.Current.Host);
        var shadow = _binding.Shadow(_full);
        var device = PlugThenUnplug().Device!;
        if (shadow.Adapters.Count != 16 || shadow.Domains.Count != 85 || device.Shadow.Domains.Count != 84 || device.Guest != "guest-1" ||
            HotPlugDryRun()!.Device!.Shadow != shadow)
        {
            throw new InvalidOperationException("Guest matrix setup check failed.");
        }
    }

    /// <summary>The filter alone (kernel <c>vfio_ap_mdev_filter_matrix</c>) as mask algebra.</summary>
    [Benchmark]
    public GuestMatrix Shadow() => _binding.Shadow(_full);

    /// <summary>Hot plug of domain 84 (16 queues join the guest), then hot unplug; the pair.</summary>
    [Benchmark]
    public MdevChange PlugThenUnplug()
    {
        BenchmarkStates.Expect(_system.Assign(_device, AssignTarget.Domain, PluggedDomain, assign: true));
        return BenchmarkStates.Expect(_system.Assign(_device, AssignTarget.Domain, PluggedDomain, assign: false));
    }

    /// <summary>The hot plug alone as a dry run: checks, shadow and the next snapshot, not published.</summary>
    [Benchmark]
    public MdevChange? HotPlugDryRun() => _system.Assign(_device, AssignTarget.Domain, PluggedDomain, assign: true, new WriteOptions(DryRun: true)).Value;
}
