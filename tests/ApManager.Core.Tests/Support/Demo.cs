using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;
using ApManager.Core.State;

namespace ApManager.Core.Tests.Support;

/// <summary>The demo machine of SPEC §7 and small helpers to talk about it in assertions.</summary>
internal static class Demo
{
    public static readonly MdevId A = MdevId.Parse("0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11");
    public static readonly MdevId B = MdevId.Parse("5d2e8a41-93c7-4f0b-8b6e-2c4f1a7d9e30");
    public static readonly MdevId C = MdevId.Parse("c0ffee00-0000-4000-8000-000000000001");

    public static ApSystem NewSystem() => ApSystem.InMemory(HostTopology.Demo, Seeds.Demo);

    public static ApSystem NewUnseededSystem() => ApSystem.InMemory(HostTopology.Demo, Seeds.BootDefaults);

    public static Apqn Q(string text) => Apqn.Parse(text);

    public static MaskInput In(string text) => MaskInput.FromString(text);

    public static Outcome<BusChange> Apmask(this ApSystem system, string input, WriteOptions options = default) =>
        system.ChangeMasks(In(input), null, options);

    public static Outcome<BusChange> Aqmask(this ApSystem system, string input, WriteOptions options = default) =>
        system.ChangeMasks(null, In(input), options);

    public static Outcome<MdevChange> AssignAdapter(this ApSystem system, MdevId id, long adapter) =>
        system.Assign(id, AssignTarget.Adapter, adapter, assign: true);

    public static Outcome<MdevChange> AssignDomain(this ApSystem system, MdevId id, long domain) =>
        system.Assign(id, AssignTarget.Domain, domain, assign: true);

    public static MatrixDevice Mdev(this ApSystem system, MdevId id) =>
        system.Current.Mdev(id) ?? throw new InvalidOperationException($"No device {id}.");

    public static QueueState Queue(this ApSystem system, string apqn) =>
        system.Current.Queue(Q(apqn)) ?? throw new InvalidOperationException($"No queue {apqn}.");

    public static T Ok<T>(this Outcome<T> outcome) where T : class
    {
        Assert.True(outcome.IsOk, $"expected success, got {outcome.Refusal}");
        return outcome.Value;
    }

    public static TRefusal Refused<TRefusal>(this Outcome<BusChange> outcome) where TRefusal : Refusal => RefusedAs<BusChange, TRefusal>(outcome);

    public static TRefusal Refused<TRefusal>(this Outcome<MdevChange> outcome) where TRefusal : Refusal => RefusedAs<MdevChange, TRefusal>(outcome);

    public static TRefusal Refused<TRefusal>(this Outcome<AdapterChange> outcome) where TRefusal : Refusal => RefusedAs<AdapterChange, TRefusal>(outcome);

    private static TRefusal RefusedAs<T, TRefusal>(Outcome<T> outcome) where T : class where TRefusal : Refusal
    {
        Assert.False(outcome.IsOk, $"expected {typeof(TRefusal).Name}, got success {outcome.Value}");
        Assert.Null(outcome.Value);
        return Assert.IsType<TRefusal>(outcome.Refusal);
    }

    /// <summary>"05.0004 vfio_ap 0b1f…11 guest-a", one line per offender, "-" for null.</summary>
    public static string[] Describe(IEnumerable<Offender> offenders) =>
        [.. offenders.Select(o => $"{o.Apqn} {o.Driver} {o.Mdev?.ToString() ?? "-"} {o.Guest ?? "-"}")];

    /// <summary>"07.0004 cex4queue->vfio_ap", one line per rebound queue, "null" for unbound.</summary>
    public static string[] Describe(IEnumerable<Rebound> rebound) =>
        [.. rebound.Select(r => $"{r.Apqn} {r.From ?? "null"}->{r.To ?? "null"}")];

    public static string[] Texts(IEnumerable<Apqn> apqns) => [.. apqns.Select(q => q.ToString())];

    /// <summary>"05.0004 vfio_ap A guest-a" style view of one queue (device by letter).</summary>
    public static string View(this QueueState q) =>
        $"{q.Apqn} {q.Driver ?? "null"} {Letter(q.Mdev)} {q.Guest ?? "null"}";

    private static string Letter(MdevId? id) =>
        id is null ? "null" : id == A ? "A" : id == B ? "B" : id == C ? "C" : id.ToString()!;

    /// <summary>The APQNs an in_use query covers, enumerated the slow way.</summary>
    public static IReadOnlyList<Apqn> Covered(InUseQuery query)
    {
        var result = new List<Apqn>();
        for (var a = 0; a < 256; a++)
        {
            for (var d = 0; d < 256; d++)
            {
                var apqn = new Apqn((byte)a, (byte)d);
                if (query.Contains(apqn))
                {
                    result.Add(apqn);
                }
            }
        }
        return result;
    }

    public static IReadOnlyList<Apqn> Rectangle(IEnumerable<int> adapters, IEnumerable<int> domains) =>
        [.. from a in adapters from d in domains select new Apqn((byte)a, (byte)d)];

    /// <summary>A driver that records every query it gets and objects to nothing (or to the given APQNs).</summary>
    public sealed class Probe(string name = "probe", bool isDefault = false, params string[] objectTo)
    {
        private readonly Lock _gate = new();
        private readonly List<(ApSnapshot Snapshot, InUseQuery Query)> _calls = [];

        public string Name { get; } = name;

        public IReadOnlyList<(ApSnapshot Snapshot, InUseQuery Query)> Calls
        {
            get
            {
                lock (_gate)
                {
                    return [.. _calls];
                }
            }
        }

        public DriverDefinition Definition => new(Name, isDefault, Callback);

        private IReadOnlyList<Offender> Callback(ApSnapshot snapshot, InUseQuery query)
        {
            lock (_gate)
            {
                _calls.Add((snapshot, query));
            }
            return [.. objectTo.Select(Q).Where(query.Contains).Select(q => new Offender(q, Name, null, null))];
        }
    }
}
