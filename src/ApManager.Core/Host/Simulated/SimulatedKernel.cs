using System.Collections.Immutable;
using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Transfer;

namespace ApManager.Core.Host.Simulated;

/// <summary>The kernel's answer to one write and the state it leaves (the state before when refused).</summary>
public readonly record struct KernelResult(Errno Errno, HostState State)
{
    public bool Accepted => Errno == Errno.None;
}

/// <summary>
/// The kernel's rules for every write (SPEC §2–6) as a pure function of a state: ap_bus for the
/// masks (parse, in_use, rebind), vfio_ap for matrix devices (range, owned-by-host, sharing),
/// zcrypt for card configuration, and libvirt's part for guests. It decides the errno with the
/// same rules the manager judges with, stopping at the first failure as the kernel does. The
/// simulated host runs it on its state; the manager runs it to preview a dry run.
/// </summary>
public static class SimulatedKernel
{
    /// <summary>What the simulated vfio_ap offers (<c>matrix/features</c> of a current kernel).</summary>
    public static ImmutableArray<string> Features { get; } = ["guest_matrix", "hotplug", "ap_config"];

    public static KernelResult Apply(HostState state, HostWrite write)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(write);
        return write switch
        {
            WriteMasks w => Masks(state, w),
            CreateDevice c => Create(state, c.Id),
            RemoveDevice r => Remove(state, r.Id),
            AssignId a => Assign(state, a),
            WriteDeviceConfig c => Config(state, c),
            ConfigureCard c => Configure(state, c),
            SetCardOnline o => CardOnline(state, o),
            SetQueueOnline o => QueueOnline(state, o),
            SetGuest g => Guest(state, g),
            SetBindingDrivers d => Drivers(state, d),
            ReplaceConfiguration r => Replace(state, r),
            Reboot b => Accept(b.State),
            _ => Refuse(state, Errno.EOPNOTSUPP),
        };
    }

    /// <summary>The state a host starts from: its topology with the configuration given (SPEC §7 seeds, a restored store).</summary>
    public static HostState Boot(HostTopology topology, InitialState initial, int maxDevices)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(initial);
        var cards = new CardInfo?[256];
        foreach (var a in topology.Adapters)
        {
            var configured = initial.Configured?.TryGetValue(a.Id, out var c) == true ? c : a.Configured;
            cards[a.Id] = new CardInfo(a.Id, a.Type, configured, configured, false, CardHardware.Simulated(a.Type, a.Id));
        }
        var empty = new HostState(topology, ApMask.Empty, ApMask.Empty, KernelStep.BindingDrivers(true, true), cards,
            new QueueInfo?[]?[256], [], maxDevices, vfioFeatures: Features);
        return new KernelStep(empty)
            .SetMasks(initial.Apmask, initial.Aqmask)
            .ReplaceAllDevices(initial.Devices.Select(d => (d.Id, d.Assignment, d.Guest)))
            .Build();
    }

    private static KernelResult Refuse(HostState state, Errno errno) => new(errno, state);

    private static KernelResult Accept(HostState next) => new(Errno.None, next);

    private static KernelResult Masks(HostState s, WriteMasks w)
    {
        var parsed = MaskRules.Parse(w.Apmask is { } ap ? ap.Span : default, w.Apmask is not null, w.Aqmask is { } aq ? aq.Span : default, w.Aqmask is not null, s.Apmask, s.Aqmask);
        if (!parsed.Success)
        {
            return Refuse(s, parsed.Failure.Errno);
        }
        if (parsed.Apmask == s.Apmask && parsed.Aqmask == s.Aqmask)
        {
            return Accept(s);
        }
        // ap_bus asks every driver with an in_use callback; in the kernel only vfio_ap has one.
        if (s.HasDriver(WellKnownDrivers.VfioAp) && s.VfioApInUse &&
            MatrixRules.InUse(s, InUseQuery.NewlyOwned(s.Apmask, s.Aqmask, parsed.Apmask, parsed.Aqmask)).Count > 0)
        {
            return Refuse(s, Errno.EBUSY);
        }
        return Accept(new KernelStep(s).SetMasks(parsed.Apmask, parsed.Aqmask).Build());
    }

    private static KernelResult Create(HostState s, MdevId id)
    {
        if (s.Device(id) is not null)
        {
            return Refuse(s, Errno.EEXIST);
        }
        if (s.AvailableInstances == 0)
        {
            return Refuse(s, Errno.EUSERS);
        }
        return Accept(new KernelStep(s).PutDevice(id, Assignment.Empty, null).Build());
    }

    private static KernelResult Remove(HostState s, MdevId id)
    {
        if (s.Device(id) is not { } device)
        {
            return Refuse(s, Errno.ENOENT);
        }
        // A device open by a guest cannot go away.
        return device.Guest is not null ? Refuse(s, Errno.EBUSY) : Accept(new KernelStep(s).RemoveDevice(id).Build());
    }

    private static KernelResult Assign(HostState s, AssignId a)
    {
        if (s.Device(a.Id) is not { } device)
        {
            return Refuse(s, Errno.ENOENT);
        }
        if (MatrixRules.CheckRange(a.Target, a.Value, s.Topology.MaxAdapterId, s.Topology.MaxDomainId) is { } outOfRange)
        {
            return Refuse(s, outOfRange.Errno);
        }
        var id = (int)a.Value;
        if (device.Assignment.Get(a.Target).Contains(id) == a.Assign)
        {
            return Accept(s);
        }
        var next = device.Assignment.With(a.Target, id, a.Assign);
        if (a.Assign && a.Target != AssignTarget.ControlDomain && MatrixRules.CheckAssignment(s, a.Id, next) is { } refused)
        {
            return Refuse(s, refused.Errno);
        }
        return Accept(new KernelStep(s).PutDevice(a.Id, next, device.Guest).Build());
    }

    private static KernelResult Config(HostState s, WriteDeviceConfig c)
    {
        if (s.Device(c.Id) is not { } device)
        {
            return Refuse(s, Errno.ENOENT);
        }
        var next = c.Assignment;
        if (!next.Adapters.Except(s.Topology.AdapterRange).IsEmpty ||
            !(next.Domains | next.ControlDomains).Except(s.Topology.DomainRange).IsEmpty)
        {
            return Refuse(s, Errno.ENODEV);
        }
        if (next == device.Assignment)
        {
            return Accept(s);
        }
        if (MatrixRules.CheckAssignment(s, c.Id, next) is { } refused)
        {
            return Refuse(s, refused.Errno);
        }
        return Accept(new KernelStep(s).PutDevice(c.Id, next, device.Guest).Build());
    }

    private static KernelResult Configure(HostState s, ConfigureCard c)
    {
        if (s.Card(c.Adapter) is not { } card)
        {
            return Refuse(s, Errno.ENOENT);
        }
        return card.Configured == c.Configured ? Accept(s) : Accept(new KernelStep(s).SetConfigured(c.Adapter, c.Configured).Build());
    }

    /// <summary>zcrypt's card <c>online</c> store: 1 needs a configured card without check-stop (ENODEV); the queues follow.</summary>
    private static KernelResult CardOnline(HostState s, SetCardOnline o)
    {
        if (s.Card(o.Adapter) is not { } card)
        {
            return Refuse(s, Errno.ENOENT);
        }
        if (o.Online && (!card.Configured || card.Checkstopped))
        {
            return Refuse(s, Errno.ENODEV);
        }
        var queuesFollow = s.Rows[o.Adapter]?.All(q => q is null || q.Driver != WellKnownDrivers.Cex4Queue || q.Online == o.Online) ?? true;
        return card.Online == o.Online && queuesFollow ? Accept(s) : Accept(new KernelStep(s).SetCardOnline(o.Adapter, o.Online).Build());
    }

    /// <summary>zcrypt's queue <c>online</c> store: only queues of zcrypt have it; 1 needs a usable card (ENODEV) that is online (EINVAL).</summary>
    private static KernelResult QueueOnline(HostState s, SetQueueOnline o)
    {
        if (s.Queue(o.Apqn) is not { } queue || queue.Driver != WellKnownDrivers.Cex4Queue || s.Card(o.Apqn.Adapter) is not { } card)
        {
            return Refuse(s, Errno.ENOENT);
        }
        if (o.Online && (!card.Configured || card.Checkstopped || queue.Checkstopped))
        {
            return Refuse(s, Errno.ENODEV);
        }
        if (o.Online && !card.Online)
        {
            return Refuse(s, Errno.EINVAL);
        }
        return queue.Online == o.Online ? Accept(s) : Accept(new KernelStep(s).SetQueueOnline(o.Apqn, o.Online).Build());
    }

    private static KernelResult Guest(HostState s, SetGuest g)
    {
        if (s.Device(g.Id) is not { } device)
        {
            return Refuse(s, Errno.ENOENT);
        }
        if (device.Guest == g.Guest)
        {
            return Accept(s);
        }
        if (g.Guest is { } guest)
        {
            if (Names.CheckGuestName(guest) is not null)
            {
                return Refuse(s, Errno.EINVAL);
            }
            if (device.Guest is not null)
            {
                return Refuse(s, Errno.EBUSY);
            }
            if (s.Guests.ContainsKey(guest))
            {
                return Refuse(s, Errno.EPERM);
            }
        }
        return Accept(new KernelStep(s).PutDevice(g.Id, device.Assignment, g.Guest).Build());
    }

    private static KernelResult Drivers(HostState s, SetBindingDrivers d) =>
        d.Cex4Queue == s.HasDriver(WellKnownDrivers.Cex4Queue) && d.VfioAp == s.HasDriver(WellKnownDrivers.VfioAp) && d.VfioApInUse == s.VfioApInUse
            ? Accept(s)
            : Accept(new KernelStep(s).SetBindingDrivers(d.Cex4Queue, d.VfioAp, d.VfioApInUse).Build());

    private static KernelResult Replace(HostState s, ReplaceConfiguration r)
    {
        foreach (var id in r.Configured.Keys)
        {
            if (s.Card(id) is null)
            {
                return Refuse(s, Errno.ENOENT);
            }
        }
        var range = s.Topology.DomainRange;
        if (r.Devices.Any(d => !d.Assignment.Adapters.Except(s.Topology.AdapterRange).IsEmpty || !(d.Assignment.Domains | d.Assignment.ControlDomains).Except(range).IsEmpty))
        {
            return Refuse(s, Errno.ENODEV);
        }
        var guests = new Dictionary<string, MdevId>(StringComparer.Ordinal);
        foreach (var (id, _, guest) in r.Devices)
        {
            if (guest is not null && !guests.TryAdd(guest, id))
            {
                return Refuse(s, Errno.EPERM);
            }
        }
        if (ImportRules.CheckConfiguration(r.Apmask, r.Aqmask, [.. r.Devices.Select(d => (d.Id, d.Assignment))], guests, s.MaxDevices) is { } refused)
        {
            return Refuse(s, refused.Errno);
        }
        var step = new KernelStep(s).SetMasks(r.Apmask, r.Aqmask);
        foreach (var (id, configured) in r.Configured)
        {
            step.SetConfigured(id, configured);
        }
        return Accept(step.ReplaceAllDevices(r.Devices).Build());
    }
}
