using System.Collections.Immutable;
using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.State;

/// <summary>
/// One immutable, consistent picture of the whole AP bus as ApManager shows it: the host's state
/// (masks, cards, queue bindings, matrix devices, guest matrices) with ApManager's device names
/// and the version of every resource. Readers take one snapshot and never see half a step.
/// </summary>
public sealed class ApSnapshot
{
    internal ApSnapshot(long version, HostState host, BusState bus, AdapterState?[] adapters, ImmutableArray<MatrixDevice> mdevs, QueueState?[]?[] rows)
    {
        Version = version;
        Host = host;
        Bus = bus;
        AdapterById = adapters;
        MdevArray = mdevs;
        Rows = rows;
    }

    /// <summary>The global version: grows by exactly one per committed step.</summary>
    public long Version { get; }

    /// <summary>What the host showed for this snapshot.</summary>
    public HostState Host { get; }

    public HostTopology Topology => Host.Topology;

    public BusState Bus { get; }

    internal AdapterState?[] AdapterById { get; }

    /// <summary>True while <c>cex4queue</c> is registered (default-owned queues bind to it).</summary>
    public bool Cex4QueueBinds => Host.HasDriver(WellKnownDrivers.Cex4Queue);

    /// <summary>True while <c>vfio_ap</c> is registered (other capable queues bind to it).</summary>
    public bool VfioApBinds => Host.HasDriver(WellKnownDrivers.VfioAp);

    /// <summary>Matrix devices sorted by UUID.</summary>
    internal ImmutableArray<MatrixDevice> MdevArray { get; }

    public IReadOnlyList<MatrixDevice> Mdevs => MdevArray;

    /// <summary>Guest name to the matrix device it is attached to.</summary>
    public ImmutableDictionary<string, MdevId> Guests => Host.Guests;

    /// <summary>Queues by adapter row, then domain; a row is null when the adapter has no queues.</summary>
    internal QueueState?[]?[] Rows { get; }

    /// <summary>Adapters that exist and are configured: the ones that have queues.</summary>
    public ApMask ConfiguredAdapters => Host.ConfiguredAdapters;

    public IEnumerable<AdapterState> Adapters
    {
        get
        {
            foreach (var a in AdapterById)
            {
                if (a is not null)
                {
                    yield return a;
                }
            }
        }
    }

    public AdapterState? Adapter(int id) => (uint)id < 256 ? AdapterById[id] : null;

    public QueueState? Queue(Apqn apqn) => Rows[apqn.Adapter]?[apqn.Domain];

    /// <summary>Every existing queue, sorted by APQN.</summary>
    public IEnumerable<QueueState> Queues
    {
        get
        {
            foreach (var row in Rows)
            {
                if (row is null)
                {
                    continue;
                }
                foreach (var q in row)
                {
                    if (q is not null)
                    {
                        yield return q;
                    }
                }
            }
        }
    }

    /// <summary>The queues of one adapter, sorted by domain.</summary>
    public IEnumerable<QueueState> QueuesOf(int adapter)
    {
        if ((uint)adapter >= 256 || Rows[adapter] is not { } row)
        {
            yield break;
        }
        foreach (var q in row)
        {
            if (q is not null)
            {
                yield return q;
            }
        }
    }

    public MatrixDevice? Mdev(MdevId id)
    {
        var i = MatrixDevices.IndexOf(MdevArray.AsSpan(), id);
        return i >= 0 ? MdevArray[i] : null;
    }

    /// <summary>Kernel <c>ap_owned_by_def_drv</c>: bit a of apmask and bit d of aqmask.</summary>
    public bool IsDefaultOwned(int adapter, int domain) => Host.IsDefaultOwned(adapter, domain);
}
