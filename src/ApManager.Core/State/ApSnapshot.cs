using System.Collections.Immutable;
using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.State;

/// <summary>
/// One immutable, consistent picture of the whole AP bus: masks, adapters, queue bindings,
/// matrix devices and guest matrices. Readers take one snapshot and never see half a step.
/// </summary>
public sealed class ApSnapshot
{
    internal ApSnapshot(
        long version,
        HostTopology topology,
        BusState bus,
        AdapterState?[] adapters,
        bool cex4QueueBinds,
        bool vfioApBinds,
        ImmutableArray<MatrixDevice> mdevs,
        ImmutableDictionary<string, MdevId> guests,
        QueueState?[]?[] rows)
    {
        Version = version;
        Topology = topology;
        Bus = bus;
        AdapterById = adapters;
        Cex4QueueBinds = cex4QueueBinds;
        VfioApBinds = vfioApBinds;
        MdevArray = mdevs;
        Guests = guests;
        Rows = rows;
        var configured = ApMask.Empty;
        foreach (var a in adapters)
        {
            if (a is { Configured: true })
            {
                configured = configured.With(a.Id);
            }
        }
        ConfiguredAdapters = configured;
    }

    /// <summary>The global version: grows by exactly one per committed step.</summary>
    public long Version { get; }

    public HostTopology Topology { get; }

    public BusState Bus { get; }

    internal AdapterState?[] AdapterById { get; }

    /// <summary>True while <c>cex4queue</c> is registered (default-owned queues bind to it).</summary>
    public bool Cex4QueueBinds { get; }

    /// <summary>True while <c>vfio_ap</c> is registered (other capable queues bind to it).</summary>
    public bool VfioApBinds { get; }

    /// <summary>Matrix devices sorted by UUID.</summary>
    internal ImmutableArray<MatrixDevice> MdevArray { get; }

    public IReadOnlyList<MatrixDevice> Mdevs => MdevArray;

    /// <summary>Guest name to the matrix device it is attached to.</summary>
    public ImmutableDictionary<string, MdevId> Guests { get; }

    /// <summary>Queues by adapter row, then domain; a row is null when the adapter has no queues.</summary>
    internal QueueState?[]?[] Rows { get; }

    /// <summary>Adapters that exist and are configured: the ones that have queues.</summary>
    public ApMask ConfiguredAdapters { get; }

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
        var i = IndexOf(id);
        return i >= 0 ? MdevArray[i] : null;
    }

    internal int IndexOf(MdevId id) => MatrixDevices.IndexOf(MdevArray.AsSpan(), id);

    /// <summary>Kernel <c>ap_owned_by_def_drv</c>: bit a of apmask and bit d of aqmask.</summary>
    public bool IsDefaultOwned(int adapter, int domain) => Bus.Apmask.Contains(adapter) && Bus.Aqmask.Contains(domain);

    /// <summary>Names of the drivers registered right now, by binding rule order.</summary>
    internal BindingContext Binding => new(Topology, Bus.Apmask, Bus.Aqmask, ConfiguredAdapters, Cex4QueueBinds, VfioApBinds);
}

/// <summary>Everything the binding rule and the guest-matrix filter depend on.</summary>
internal readonly record struct BindingContext(
    HostTopology Topology, ApMask Apmask, ApMask Aqmask, ApMask Configured, bool Cex4QueueBinds, bool VfioApBinds)
{
    public bool QueueExists(int adapter, int domain) => Configured.Contains(adapter) && Topology.UsageDomains.Contains(domain);

    /// <summary>SPEC §3 binding rule for an existing queue.</summary>
    public string? DriverFor(int adapter, int domain)
    {
        if (Apmask.Contains(adapter) && Aqmask.Contains(domain))
        {
            return Cex4QueueBinds ? WellKnownDrivers.Cex4Queue : null;
        }
        return VfioApBinds && Topology.VfioCapableAdapters.Contains(adapter) ? WellKnownDrivers.VfioAp : null;
    }

    /// <summary>
    /// SPEC §6 guest-matrix filter (kernel <c>vfio_ap_mdev_filter_matrix</c>) as mask algebra:
    /// an adapter stays only if every (adapter, d) for d in the filtered domains is a queue bound to vfio_ap.
    /// </summary>
    public GuestMatrix Shadow(Assignment assignment)
    {
        var apm = assignment.Adapters & Configured;
        var aqm = assignment.Domains & Topology.UsageDomains;
        if (!aqm.IsEmpty)
        {
            if (!VfioApBinds)
            {
                apm = ApMask.Empty;
            }
            else
            {
                apm &= Topology.VfioCapableAdapters;
                if (Aqmask.Overlaps(aqm))
                {
                    // Some domain of the adapter is default-owned wherever the adapter's apmask bit is set.
                    apm = apm.Except(Apmask);
                }
            }
        }
        return new GuestMatrix(apm, aqm, assignment.ControlDomains & Topology.ControlDomains);
    }
}
