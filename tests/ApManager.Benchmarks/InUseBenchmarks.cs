using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.State;
using BenchmarkDotNet.Attributes;

namespace ApManager.Benchmarks;

/// <summary>
/// SPEC §4: vfio_ap's in_use callback over 4,096 one-APQN matrix devices (domains 16..31).
/// Target ≤ 20 µs, no allocation unless there are offenders.
/// </summary>
[MemoryDiagnoser]
public class InUseBenchmarks
{
    private ApSnapshot _snapshot = null!;
    private InUseQuery _noneIntersect;
    private InUseQuery _oneIntersects;
    private InUseQuery _manyIntersect;

    [GlobalSetup]
    public void Setup()
    {
        var system = BenchmarkStates.Create(BenchmarkStates.Wide, BenchmarkStates.WideApmask, BenchmarkStates.WideAqmask, BenchmarkStates.Grid());
        _snapshot = system.Current;
        var apm = _snapshot.Bus.Apmask;
        var aqm = _snapshot.Bus.Aqmask;
        // aqmask +200: all 256 adapters x domain 200, which no device uses (the common case).
        _noneIntersect = InUseQuery.NewlyOwned(apm, aqm, apm, aqm.With(200));
        // A PATCH that would hand back one APQN, 07.0014: exactly one device holds it.
        _oneIntersects = InUseQuery.Single(ApMask.Of(7), ApMask.Of(20));
        // aqmask +20: every adapter on domain 20, 256 devices, one offender each.
        _manyIntersect = InUseQuery.NewlyOwned(apm, aqm, apm, aqm.With(20));
        Check(_noneIntersect, 0);
        Check(_oneIntersects, 1);
        Check(_manyIntersect, 256);
    }

    [Benchmark]
    public IReadOnlyList<Offender> NoneIntersect() => WellKnownDrivers.VfioApInUse(_snapshot, _noneIntersect);

    [Benchmark]
    public IReadOnlyList<Offender> OneIntersects() => WellKnownDrivers.VfioApInUse(_snapshot, _oneIntersects);

    [Benchmark]
    public IReadOnlyList<Offender> ManyIntersect256() => WellKnownDrivers.VfioApInUse(_snapshot, _manyIntersect);

    private void Check(InUseQuery query, int expected)
    {
        if (_snapshot.Mdevs.Count != BenchmarkStates.GridDevices || WellKnownDrivers.VfioApInUse(_snapshot, query).Count != expected)
        {
            throw new InvalidOperationException("in_use setup check failed.");
        }
    }
}
