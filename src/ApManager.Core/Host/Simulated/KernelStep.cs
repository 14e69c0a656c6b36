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
    private List<HostDevice>? _devices;
    // Devices edited in this step: id -> the device in the base (null = new).
    private Dictionary<MdevId, HostDevice?>? _before;
    private bool _fullRebuild;

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
        var i = IndexOf(devices, id);
        Before().TryAdd(id, i >= 0 ? devices[i] : null);
        var draft = new HostDevice(id, assignment, default, guest);
        if (i >= 0)
        {
            devices[i] = draft;
        }
        else
        {
            devices.Insert(~i, draft);
        }
        return this;
    }

    public KernelStep RemoveDevice(MdevId id)
    {
        var devices = Devices();
        var i = IndexOf(devices, id);
        if (i >= 0)
        {
            Before().TryAdd(id, devices[i]);
            devices.RemoveAt(i);
        }
        return this;
    }

    /// <summary>Replaces every device (import, boot): all rows are recomputed.</summary>
    public KernelStep ReplaceAllDevices(IEnumerable<(MdevId Id, Assignment Assignment, string? Guest)> devices)
    {
        foreach (var d in _base.Devices)
        {
            RemoveDevice(d.Id);
        }
        foreach (var (id, assignment, guest) in devices)
        {
            PutDevice(id, assignment, guest);
        }
        _fullRebuild = true;
        return this;
    }

    private List<HostDevice> Devices() => _devices ??= [.. _base.Devices];

    private Dictionary<MdevId, HostDevice?> Before() => _before ??= [];

    private static int IndexOf(List<HostDevice> devices, MdevId id) => MatrixDevices.IndexOf<HostDevice>(CollectionsMarshal.AsSpan(devices), id);

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
        if (_devices is not null || contextChanged)
        {
            var source = _devices ?? (IList<HostDevice>)_base.Devices;
            var builder = ImmutableArray.CreateBuilder<HostDevice>(source.Count);
            foreach (var device in source)
            {
                HostDevice? old = device;
                var edited = false;
                if (_before is not null && _before.TryGetValue(device.Id, out var before))
                {
                    (old, edited) = (before, true);
                }
                if (!edited && !contextChanged)
                {
                    builder.Add(device);
                    continue;
                }
                var shadow = binding.Shadow(device.Assignment);
                var same = old is not null && old.Assignment == device.Assignment && old.Guest == device.Guest && old.GuestMatrix == shadow;
                var next = same ? old! : device with { GuestMatrix = shadow };
                builder.Add(next);
                if (!same)
                {
                    changes[device.Id] = (old, next);
                }
            }
            devices = builder.MoveToImmutable();
            foreach (var (id, old) in _before ?? [])
            {
                if (old is not null && IndexOf(devices, id) < 0)
                {
                    changes[id] = (old, null);
                }
            }
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
        return new HostState(topology, _apm, _aqm, drivers, cards, rows, devices, _base.MaxDevices, guests, _vfioInUse);
    }

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
                if (old is not null && old.Driver == driver && old.Mdev == owner && old.Guest == guest && old.Online)
                {
                    continue;
                }
                row ??= baseRow is null ? new QueueInfo?[256] : (QueueInfo?[])baseRow.Clone();
                row[d] = new QueueInfo(apqn, driver, owner, guest, true);
            }
            if (row is not null)
            {
                rows ??= (QueueInfo?[]?[])_base.Rows.Clone();
                rows[a] = row;
            }
        }
        return rows ?? _base.Rows;
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
