using System.Collections.Immutable;
using System.Runtime.InteropServices;
using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Host.Simulated;

/// <summary>
/// Builds the simulated kernel's next state from a base one: a write states what changes (masks,
/// binding drivers, configured adapters, devices and guests) and <see cref="Build"/> re-applies
/// the binding rule, re-derives guest matrices and each queue's device and guest. Unchanged
/// cards, rows, queues and devices are shared with the base; only the adapter rows a change can
/// touch are recomputed.
/// </summary>
internal sealed class KernelStep
{
    private readonly HostState _base;
    private ApMask _apm;
    private ApMask _aqm;
    private bool _cex;
    private bool _vfio;
    private bool _vfioInUse;
    private CardInfo?[]? _cards;
    private ApMask _configuredChanged;
    // The working device list (sorted by UUID), copied from the base at the first edit; _count entries are valid.
    private HostDevice[]? _devices;
    private int _count;
    // Devices edited in this step: id -> the device in the base (null = new).
    private Dictionary<MdevId, HostDevice?>? _before;
    private bool _fullRebuild;
    // Online switches set in this step: a card's forces its zcrypt queues; a queue's is its own.
    private Dictionary<int, bool>? _cardOnline;
    private Dictionary<Apqn, bool>? _queueOnline;

    public KernelStep(HostState current)
    {
        _base = current;
        _apm = current.Apmask;
        _aqm = current.Aqmask;
        _cex = current.HasDriver(WellKnownDrivers.Cex4Queue);
        _vfio = current.HasDriver(WellKnownDrivers.VfioAp);
        _vfioInUse = current.VfioApInUse;
    }

    private bool BindingChanged =>
        _apm != _base.Apmask || _aqm != _base.Aqmask ||
        _cex != _base.HasDriver(WellKnownDrivers.Cex4Queue) || _vfio != _base.HasDriver(WellKnownDrivers.VfioAp);

    public KernelStep SetMasks(ApMask apmask, ApMask aqmask)
    {
        (_apm, _aqm) = (apmask, aqmask);
        return this;
    }

    public KernelStep SetBindingDrivers(bool cex4Queue, bool vfioAp, bool vfioApInUse)
    {
        (_cex, _vfio, _vfioInUse) = (cex4Queue, vfioAp, vfioApInUse);
        return this;
    }

    /// <summary>zcrypt's card online switch: the card and every queue of its driver follow it.</summary>
    public KernelStep SetCardOnline(int adapter, bool online)
    {
        _cards ??= (CardInfo?[])_base.CardById.Clone();
        var current = _cards[adapter] ?? throw new ArgumentException($"Adapter {adapter} is not in the topology.", nameof(adapter));
        _cards[adapter] = current with { Online = online };
        (_cardOnline ??= [])[adapter] = online;
        return this;
    }

    /// <summary>zcrypt's queue online switch.</summary>
    public KernelStep SetQueueOnline(Apqn apqn, bool online)
    {
        (_queueOnline ??= [])[apqn] = online;
        return this;
    }

    public KernelStep SetConfigured(int adapter, bool configured)
    {
        _cards ??= (CardInfo?[])_base.CardById.Clone();
        var current = _cards[adapter] ?? throw new ArgumentException($"Adapter {adapter} is not in the topology.", nameof(adapter));
        if (current.Configured != configured)
        {
            // The simulated host keeps a card online exactly while it is configured.
            _cards[adapter] = current with { Configured = configured, Online = configured };
            _configuredChanged = _configuredChanged.With(adapter);
        }
        return this;
    }

    /// <summary>Adds or replaces a device's assignment and guest.</summary>
    public KernelStep PutDevice(MdevId id, Assignment assignment, string? guest)
    {
        var devices = Devices();
        var i = MatrixDevices.IndexOf<HostDevice>(devices.AsSpan(0, _count), id);
        Before().TryAdd(id, i >= 0 ? devices[i] : null);
        var draft = new HostDevice(id, assignment, default, guest);
        if (i >= 0)
        {
            devices[i] = draft;
            return this;
        }
        i = ~i;
        if (_count == devices.Length)
        {
            // Exactly one more for a single insert (the common case), so Build can take the array as is.
            var grown = new HostDevice[_count + 1];
            Array.Copy(devices, grown, i);
            Array.Copy(devices, i, grown, i + 1, _count - i);
            _devices = devices = grown;
        }
        else
        {
            Array.Copy(devices, i, devices, i + 1, _count - i);
        }
        devices[i] = draft;
        _count++;
        return this;
    }

    public KernelStep RemoveDevice(MdevId id)
    {
        var devices = Devices();
        var i = MatrixDevices.IndexOf<HostDevice>(devices.AsSpan(0, _count), id);
        if (i >= 0)
        {
            Before().TryAdd(id, devices[i]);
            Array.Copy(devices, i + 1, devices, i, _count - i - 1);
            devices[--_count] = null!;
        }
        return this;
    }

    /// <summary>Replaces every device (import, boot): all rows are recomputed.</summary>
    public KernelStep ReplaceAllDevices(IEnumerable<(MdevId Id, Assignment Assignment, string? Guest)> devices)
    {
        var before = Before();
        foreach (var d in _devices is null ? _base.Devices.AsSpan() : _devices.AsSpan(0, _count))
        {
            before.TryAdd(d.Id, d);
        }
        var drafts = devices.Select(d => new HostDevice(d.Id, d.Assignment, default, d.Guest)).ToArray();
        Array.Sort(drafts, static (x, y) => x.Id.CompareTo(y.Id));
        foreach (var d in drafts)
        {
            before.TryAdd(d.Id, null);
        }
        (_devices, _count) = (drafts, drafts.Length);
        _fullRebuild = true;
        return this;
    }

    private HostDevice[] Devices()
    {
        if (_devices is null)
        {
            _devices = _base.Devices.ToArray();
            _count = _devices.Length;
        }
        return _devices;
    }

    private Dictionary<MdevId, HostDevice?> Before() => _before ??= [];

    private static int IndexOf(ImmutableArray<HostDevice> devices, MdevId id) => MatrixDevices.IndexOf(devices.AsSpan(), id);

    /// <summary>The next state; the base itself when nothing changed.</summary>
    public HostState Build()
    {
        var topology = _base.Topology;
        var cards = _cards ?? _base.CardById;
        var configured = _configuredChanged.IsEmpty ? _base.ConfiguredAdapters : ConfiguredOf(cards);
        var binding = new BindingContext(topology, _apm, _aqm, configured, _cex, _vfio);
        var contextChanged = BindingChanged || !_configuredChanged.IsEmpty;

        // Devices: re-derive guest matrices where anything they depend on changed.
        var changes = new Dictionary<MdevId, (HostDevice? Old, HostDevice? New)>();
        var devices = _base.Devices;
        if (_devices is not null && !contextChanged && !_fullRebuild)
        {
            devices = EditedDevices(binding, changes);
        }
        else if (_devices is not null || contextChanged)
        {
            devices = AllDevices(binding, changes, contextChanged);
        }

        var guests = _base.Guests;
        foreach (var (id, (old, next)) in changes)
        {
            if (old?.Guest == next?.Guest)
            {
                continue;
            }
            if (old?.Guest is { } gone && guests.TryGetValue(gone, out var holder) && holder == id)
            {
                guests = guests.Remove(gone);
            }
            if (next?.Guest is { } added)
            {
                guests = guests.SetItem(added, id);
            }
        }

        var rows = Rows(binding, configured, contextChanged, changes, devices);
        if (!contextChanged && changes.Count == 0 && ReferenceEquals(rows, _base.Rows) && devices == _base.Devices && _cards is null && _vfioInUse == _base.VfioApInUse)
        {
            return _base;
        }
        var drivers = _cex == _base.HasDriver(WellKnownDrivers.Cex4Queue) && _vfio == _base.HasDriver(WellKnownDrivers.VfioAp)
            ? _base.Drivers
            : BindingDrivers(_cex, _vfio);
        var byAdapter = _fullRebuild ? DevicesByAdapter.Of(devices) : _base.ByAdapter.With(changes.Values, devices);
        return new HostState(topology, _apm, _aqm, drivers, cards, rows, devices, _base.MaxDevices, guests, _vfioInUse, byAdapter, _vfio ? SimulatedKernel.Features : []);
    }

    /// <summary>Only edited devices can change: re-derive those, share every other one.</summary>
    private ImmutableArray<HostDevice> EditedDevices(BindingContext binding, Dictionary<MdevId, (HostDevice? Old, HostDevice? New)> changes)
    {
        var devices = _devices!;
        foreach (var (id, old) in _before!)
        {
            var i = MatrixDevices.IndexOf<HostDevice>(devices.AsSpan(0, _count), id);
            if (i < 0)
            {
                if (old is not null)
                {
                    changes[id] = (old, null);
                }
                continue;
            }
            var next = Derive(binding, devices[i], old);
            devices[i] = next;
            if (!ReferenceEquals(next, old))
            {
                changes[id] = (old, next);
            }
        }
        return Wrap(devices, _count);
    }

    /// <summary>The masks, drivers or configured adapters changed (or every device was replaced): re-derive them all.</summary>
    private ImmutableArray<HostDevice> AllDevices(BindingContext binding, Dictionary<MdevId, (HostDevice? Old, HostDevice? New)> changes, bool contextChanged)
    {
        var source = _devices is null ? _base.Devices.AsSpan() : _devices.AsSpan(0, _count);
        var result = new HostDevice[source.Length];
        for (var i = 0; i < source.Length; i++)
        {
            var device = source[i];
            HostDevice? old = device;
            var edited = _before is not null && _before.TryGetValue(device.Id, out old);
            if (!edited)
            {
                old = device;
                if (!contextChanged)
                {
                    result[i] = device;
                    continue;
                }
            }
            var next = Derive(binding, device, old);
            result[i] = next;
            if (!ReferenceEquals(next, old))
            {
                changes[device.Id] = (old, next);
            }
        }
        foreach (var (id, old) in _before ?? [])
        {
            if (old is not null && MatrixDevices.IndexOf<HostDevice>(result, id) < 0)
            {
                changes[id] = (old, null);
            }
        }
        return ImmutableCollectionsMarshal.AsImmutableArray(result);
    }

    /// <summary>The device with its guest matrix for <paramref name="binding"/>; <paramref name="old"/> itself when nothing differs.</summary>
    private static HostDevice Derive(BindingContext binding, HostDevice device, HostDevice? old)
    {
        var shadow = binding.Shadow(device.Assignment);
        return old is not null && old.Assignment == device.Assignment && old.Guest == device.Guest && old.GuestMatrix == shadow
            ? old
            : device with { GuestMatrix = shadow };
    }

    private static ImmutableArray<HostDevice> Wrap(HostDevice[] devices, int count) =>
        ImmutableCollectionsMarshal.AsImmutableArray(count == devices.Length ? devices : devices[..count]);

    /// <summary>The driver list with the binding drivers as given, in the order the kernel lists them.</summary>
    public static ImmutableArray<string> BindingDrivers(bool cex4Queue, bool vfioAp)
    {
        var drivers = ImmutableArray.CreateBuilder<string>(2);
        if (cex4Queue)
        {
            drivers.Add(WellKnownDrivers.Cex4Queue);
        }
        if (vfioAp)
        {
            drivers.Add(WellKnownDrivers.VfioAp);
        }
        return drivers.ToImmutable();
    }

    private static ApMask ConfiguredOf(CardInfo?[] cards)
    {
        var configured = ApMask.Empty;
        foreach (var c in cards)
        {
            if (c is { Configured: true })
            {
                configured = configured.With(c.Id);
            }
        }
        return configured;
    }

    /// <summary>The queue rows: only the (adapter, domain) cells a change can touch are recomputed.</summary>
    private QueueInfo?[]?[] Rows(BindingContext binding, ApMask configured, bool contextChanged,
        Dictionary<MdevId, (HostDevice? Old, HostDevice? New)> changes, ImmutableArray<HostDevice> devices)
    {
        var topology = _base.Topology;
        var usage = topology.UsageDomains;
        ApMask[]? candidates = null;
        if (contextChanged || _fullRebuild)
        {
            candidates = new ApMask[256];
            foreach (var a in topology.AdapterIds | _configuredChanged)
            {
                candidates[a] = usage;
            }
        }
        foreach (var (old, next) in changes.Values)
        {
            candidates ??= new ApMask[256];
            AddDifference(candidates, old?.Adapters ?? default, old?.Domains ?? default, next?.Adapters ?? default, next?.Domains ?? default);
            if (old?.Guest != next?.Guest)
            {
                AddRectangle(candidates, old?.GuestMatrix.Adapters ?? default, old?.GuestMatrix.Domains ?? default);
                AddRectangle(candidates, next?.GuestMatrix.Adapters ?? default, next?.GuestMatrix.Domains ?? default);
            }
            else if (next?.Guest is not null)
            {
                AddDifference(candidates, old!.GuestMatrix.Adapters, old.GuestMatrix.Domains, next.GuestMatrix.Adapters, next.GuestMatrix.Domains);
            }
        }
        foreach (var a in _cardOnline?.Keys ?? (IEnumerable<int>)[])
        {
            candidates ??= new ApMask[256];
            candidates[a] = usage;
        }
        foreach (var q in _queueOnline?.Keys ?? (IEnumerable<Apqn>)[])
        {
            candidates ??= new ApMask[256];
            candidates[q.Adapter] = candidates[q.Adapter].With(q.Domain);
        }
        if (candidates is null)
        {
            return _base.Rows;
        }

        QueueInfo?[]?[]? rows = null;
        for (var a = 0; a < 256; a++)
        {
            var baseRow = _base.Rows[a];
            if (!configured.Contains(a))
            {
                if (baseRow is not null)
                {
                    rows ??= (QueueInfo?[]?[])_base.Rows.Clone();
                    rows[a] = null;
                }
                continue;
            }
            var domains = candidates[a] & usage;
            if (domains.IsEmpty)
            {
                continue;
            }
            QueueInfo?[]? row = null;
            MdevId?[]? scanned = null;
            foreach (var d in domains)
            {
                var apqn = new Apqn((byte)a, (byte)d);
                var old = baseRow?[d];
                MdevId? owner;
                if (old is null || _fullRebuild)
                {
                    scanned ??= ScanOwners(devices, a);
                    owner = scanned[d];
                }
                else
                {
                    owner = Owner(changes, apqn, old.Mdev);
                }
                string? guest = null;
                if (owner is { } o)
                {
                    var device = devices[IndexOf(devices, o)];
                    if (device.Guest is not null && device.GuestMatrix.Contains(apqn))
                    {
                        guest = device.Guest;
                    }
                }
                var driver = binding.DriverFor(a, d);
                var online = OnlineOf(apqn, driver, old, _cards?[a] ?? _base.CardById[a]!);
                if (old is not null && old.Driver == driver && old.Mdev == owner && old.Guest == guest && old.Online == online)
                {
                    continue;
                }
                row ??= baseRow is null ? new QueueInfo?[256] : (QueueInfo?[])baseRow.Clone();
                row[d] = new QueueInfo(apqn, driver, owner, guest, online);
            }
            if (row is not null)
            {
                rows ??= (QueueInfo?[]?[])_base.Rows.Clone();
                rows[a] = row;
            }
        }
        return rows ?? _base.Rows;
    }

    /// <summary>
    /// A queue of the host's zcrypt driver is online as its switch says (set now, forced by its
    /// card, kept, or as its card is when it joins the driver); any other queue is usable while it
    /// exists (the simulator has no check-stop).
    /// </summary>
    private bool OnlineOf(Apqn apqn, string? driver, QueueInfo? old, CardInfo card)
    {
        if (driver != WellKnownDrivers.Cex4Queue)
        {
            return true;
        }
        if (_queueOnline is not null && _queueOnline.TryGetValue(apqn, out var set))
        {
            return set;
        }
        if (_cardOnline is not null && _cardOnline.TryGetValue(apqn.Adapter, out var forced))
        {
            return forced;
        }
        return old is not null && old.Driver == WellKnownDrivers.Cex4Queue ? old.Online : card.Online;
    }

    private static MdevId? Owner(Dictionary<MdevId, (HostDevice? Old, HostDevice? New)> changes, Apqn apqn, MdevId? previous)
    {
        foreach (var (_, next) in changes.Values)
        {
            if (next is not null && next.Assignment.Contains(apqn))
            {
                return next.Id;
            }
        }
        if (previous is { } p && changes.TryGetValue(p, out var change) && (change.New is null || !change.New.Assignment.Contains(apqn)))
        {
            return null;
        }
        return previous;
    }

    private static MdevId?[] ScanOwners(ImmutableArray<HostDevice> devices, int adapter)
    {
        var owners = new MdevId?[256];
        foreach (var m in devices)
        {
            if (!m.Adapters.Contains(adapter))
            {
                continue;
            }
            foreach (var d in m.Domains)
            {
                owners[d] = m.Id;
            }
        }
        return owners;
    }

    private static void AddRectangle(ApMask[] candidates, ApMask adapters, ApMask domains)
    {
        if (domains.IsEmpty)
        {
            return;
        }
        foreach (var a in adapters)
        {
            candidates[a] |= domains;
        }
    }

    /// <summary>Cells of (oA x oD) symmetric-difference (nA x nD), over-approximated by two rectangles.</summary>
    private static void AddDifference(ApMask[] candidates, ApMask oA, ApMask oD, ApMask nA, ApMask nD)
    {
        AddRectangle(candidates, oA ^ nA, oD | nD);
        AddRectangle(candidates, oA | nA, oD ^ nD);
    }
}
