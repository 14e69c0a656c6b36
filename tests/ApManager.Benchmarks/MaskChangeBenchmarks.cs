using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Refusals;
using ApManager.Core.State;
using BenchmarkDotNet.Attributes;

namespace ApManager.Benchmarks;

/// <summary>
/// SPEC §2, §4: a whole apmask write through <see cref="ApSystem.ChangeMasks"/> on the demo host:
/// parse, no-op check, in_use, commit with rebinding. Target ≤ 10 µs per accepted change.
/// </summary>
[MemoryDiagnoser]
public class MaskChangeBenchmarks
{
    private ApSystem _system = null!;
    private MaskInput _release3;
    private MaskInput _reclaim3;
    private MaskInput _refused;

    [GlobalSetup]
    public void Setup()
    {
        _system = ApSystem.InMemory(HostTopology.Demo, Seeds.Demo);
        _release3 = MaskInput.FromString("-3");
        _reclaim3 = MaskInput.FromString("+3");
        _refused = MaskInput.FromString("+5,+6");
        var version = _system.Current.Version;
        if (AcceptedPair() != 5 || _system.Current.Version != version + 2 || _system.ChangeMasks(_refused, null).Refusal is not QueuesInUse { Offenders.Count: 3 })
        {
            throw new InvalidOperationException("Mask change setup check failed.");
        }
    }

    /// <summary>
    /// <c>-3</c> then <c>+3</c>: both commit (5 queues move each way), so the state returns.
    /// Reported per change.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 2)]
    public int AcceptedChange() => AcceptedPair();

    /// <summary><c>-3</c> as a dry run: every check and the whole next snapshot, not published.</summary>
    [Benchmark]
    public BusChange? AcceptedChangeDryRun() => _system.ChangeMasks(_release3, null, new WriteOptions(DryRun: true)).Value;

    /// <summary><c>+5,+6</c>: the 409 path, three offenders across two devices.</summary>
    [Benchmark]
    public Refusal? RefusedInUse() => _system.ChangeMasks(_refused, null).Refusal;

    private int AcceptedPair()
    {
        var released = BenchmarkStates.Expect(_system.ChangeMasks(_release3, null));
        BenchmarkStates.Expect(_system.ChangeMasks(_reclaim3, null));
        return released.Rebound.Count;
    }
}
