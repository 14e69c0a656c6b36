using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;
using ApManager.Core.State;
using BenchmarkDotNet.Attributes;

namespace ApManager.Benchmarks;

/// <summary>
/// SPEC §5: assigning one adapter to a device with 64 domains while 4,096 other devices exist,
/// the owned-by-host and conflict checks included. Target ≤ 50 µs.
/// </summary>
[MemoryDiagnoser]
public class AssignBenchmarks
{
    private const int AddedAdapter = 1;

    private ApSystem _system = null!;
    private MdevId _target;
    private Assignment _assigned;

    [GlobalSetup]
    public void Setup()
    {
        _target = BenchmarkStates.DeviceId(100_000);
        // Adapter 0 x domains 64..127: the grid's adapters 0 and 1 sit on domains 16..31, so no overlap.
        var target = new DeviceSeed(_target, "wide-64", new Assignment(ApMask.Of(0), ApMask.Range(64, 127), ApMask.Range(64, 127)), null);
        _system = BenchmarkStates.Create(BenchmarkStates.Wide, BenchmarkStates.WideApmask, BenchmarkStates.WideAqmask, BenchmarkStates.Grid().Append(target));
        _assigned = target.Assignment with { Adapters = ApMask.Of(0, AddedAdapter) };
        var version = _system.Current.Version;
        if (_system.Current.Mdevs.Count != BenchmarkStates.GridDevices + 1 || AssignThenUnassign() is not { Changed: true } ||
            _system.Current.Version != version + 2 || _system.Current.Mdev(_target)!.Adapters != ApMask.Of(0) ||
            MatrixRules.CheckAssignment(_system.Current.Host, _target, _assigned) is not null)
        {
            throw new InvalidOperationException("Assign setup check failed.");
        }
    }

    /// <summary>Assign adapter 1 (checks + commit), then unassign it (commit only); the pair.</summary>
    [Benchmark]
    public MdevChange AssignThenUnassign()
    {
        BenchmarkStates.Expect(_system.Assign(_target, AssignTarget.Adapter, AddedAdapter, assign: true));
        return BenchmarkStates.Expect(_system.Assign(_target, AssignTarget.Adapter, AddedAdapter, assign: false));
    }

    /// <summary>The assign alone as a dry run: every check and the whole next snapshot, not published.</summary>
    [Benchmark]
    public MdevChange? AssignDryRun() => _system.Assign(_target, AssignTarget.Adapter, AddedAdapter, assign: true, new WriteOptions(DryRun: true)).Value;

    /// <summary>Checks 3 and 4 alone (<see cref="MatrixRules.CheckAssignment"/>: owned-by-host, conflict scan over 4,096 devices).</summary>
    [Benchmark]
    public Refusal? ConflictCheckOnly() => MatrixRules.CheckAssignment(_system.Current.Host, _target, _assigned);
}
