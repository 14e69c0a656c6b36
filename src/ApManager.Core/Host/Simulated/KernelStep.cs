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
/// touch are recomputed. This file holds the edits and the devices; KernelStep.Rows.cs the queue rows.
/// </summary>
internal sealed partial class KernelStep
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
}
