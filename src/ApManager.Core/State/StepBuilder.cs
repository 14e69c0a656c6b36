using System.Collections.Immutable;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.State;

/// <summary>
/// Builds the next snapshot from a base one: the caller states what changes (masks, driver
/// bindings, configured adapters, devices) and <see cref="Build"/> re-applies the binding rule,
/// re-derives guest matrices and stamps versions on exactly the resources whose representation
/// changed. Only the adapter rows a change can touch are recomputed.
/// </summary>
internal sealed class StepBuilder
{
    private readonly ApSnapshot _base;
    private ApMask _apm;
    private ApMask _aqm;
    private bool _cex;
    private bool _vfio;
    private AdapterState?[]? _adapters;
    private ApMask _configuredChanged;
    private List<MatrixDevice>? _devices;
    private readonly Dictionary<MdevId, MatrixDevice?> _drafts = []; // id -> device before this step (null = new)
    private bool _fullRebuild;

    public StepBuilder(ApSnapshot current)
    {
        _base = current;
        _apm = current.Bus.Apmask;
        _aqm = current.Bus.Aqmask;
        _cex = current.Cex4QueueBinds;
        _vfio = current.VfioApBinds;
    }

    public ApSnapshot Base => _base;

    private bool BindingChanged => _apm != _base.Bus.Apmask || _aqm != _base.Bus.Aqmask || _cex != _base.Cex4QueueBinds || _vfio != _base.VfioApBinds;

    public StepBuilder SetMasks(ApMask apmask, ApMask aqmask)
    {
        (_apm, _aqm) = (apmask, aqmask);
        return this;
    }

    public StepBuilder SetBindingDrivers(bool cex4Queue, bool vfioAp)
    {
        (_cex, _vfio) = (cex4Queue, vfioAp);
        return this;
    }

    public StepBuilder SetConfigured(int adapter, bool configured)
    {
        _adapters ??= (AdapterState?[])_base.AdapterById.Clone();
        var current = _adapters[adapter] ?? throw new ArgumentException($"Adapter {adapter} is not in the topology.", nameof(adapter));
        if (current.Configured != configured)
        {
            _adapters[adapter] = current with { Configured = configured, Version = _base.Version + 1 };
            _configuredChanged = _configuredChanged.With(adapter);
        }
        return this;
    }

    /// <summary>Adds or replaces a device's name, assignment and guest.</summary>
    public StepBuilder PutDevice(MdevId id, string? name, Assignment assignment, string? guest)
    {
        var devices = Devices();
        var i = IndexOf(devices, id);
        var old = i >= 0 ? devices[i] : null;
        _drafts.TryAdd(id, i >= 0 ? (_drafts.TryGetValue(id, out var earlier) ? earlier : old) : null);
        var draft = new MatrixDevice(id, name, assignment, guest, default, -1);
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

    public StepBuilder RemoveDevice(MdevId id)
    {
        var devices = Devices();
        var i = IndexOf(devices, id);
        if (i >= 0)
        {
            _drafts.TryAdd(id, devices[i]);
            devices.RemoveAt(i);
        }
        return this;
    }

    /// <summary>Replaces every device (import and seeding): all rows are recomputed.</summary>
    public StepBuilder ReplaceAllDevices(IEnumerable<(MdevId Id, string? Name, Assignment Assignment, string? Guest)> devices)
    {
        foreach (var d in _base.MdevArray)
        {
            RemoveDevice(d.Id);
        }
        foreach (var d in devices)
        {
            PutDevice(d.Id, d.Name, d.Assignment, d.Guest);
        }
        _fullRebuild = true;
        return this;
    }

    private List<MatrixDevice> Devices() => _devices ??= [.. _base.MdevArray];

    private static int IndexOf(List<MatrixDevice> devices, MdevId id) => MatrixDevices.IndexOf(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(devices), id);

    /// <summary>The next snapshot (version + 1) and every queue whose driver changed.</summary>
    public (ApSnapshot Next, IReadOnlyList<Rebound> Rebound) Build()
    {
        var version = _base.Version + 1;
        var topology = _base.Topology;
        var adapters = _adapters ?? _base.AdapterById;
        var configured = ApMask.Empty;
        foreach (var a in adapters)
        {
            if (a is { Configured: true })
            {
                configured = configured.With(a.Id);
            }
        }
        var binding = new BindingContext(topology, _apm, _aqm, configured, _cex, _vfio);
        var contextChanged = BindingChanged || !_configuredChanged.IsEmpty;

        // Devices: re-derive guest matrices where anything they depend on changed.
        var changes = new Dictionary<MdevId, (MatrixDevice? Old, MatrixDevice? New)>();
        ImmutableArray<MatrixDevice> mdevs;
        if (_devices is null && !contextChanged)
        {
            mdevs = _base.MdevArray;
        }
        else
        {
            var source = _devices ?? (IList<MatrixDevice>)_base.MdevArray;
            var builder = ImmutableArray.CreateBuilder<MatrixDevice>(source.Count);
            foreach (var device in source)
            {
                var isDraft = device.Version < 0;
                if (!isDraft && !contextChanged)
                {
                    builder.Add(device);
                    continue;
                }
                var old = isDraft ? _drafts[device.Id] : device;
                var shadow = binding.Shadow(device.Assignment);
                var same = old is not null && old.Name == device.Name && old.Assignment == device.Assignment && old.Guest == device.Guest && old.Shadow == shadow;
                var next = same ? old! : device with { Shadow = shadow, Version = version };
                builder.Add(next);
                if (!same)
                {
                    changes[device.Id] = (old, next);
                }
            }
            mdevs = builder.MoveToImmutable();
            foreach (var (id, old) in _drafts)
            {
                if (old is not null && IndexOf(mdevs, id) < 0)
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

        // Queues: which (adapter, domain) cells can have changed.
        var candidates = new ApMask[256];
        var usage = topology.UsageDomains;
        if (contextChanged || _fullRebuild)
        {
            foreach (var a in topology.AdapterIds | _configuredChanged)
            {
                candidates[a] = usage;
            }
        }
        foreach (var (old, next) in changes.Values)
        {
            AddDifference(candidates, old?.Adapters ?? default, old?.Domains ?? default, next?.Adapters ?? default, next?.Domains ?? default);
            if (old?.Guest != next?.Guest)
            {
                AddRectangle(candidates, old?.Shadow.Adapters ?? default, old?.Shadow.Domains ?? default);
                AddRectangle(candidates, next?.Shadow.Adapters ?? default, next?.Shadow.Domains ?? default);
            }
            else if (next?.Guest is not null)
            {
                AddDifference(candidates, old!.Shadow.Adapters, old.Shadow.Domains, next.Shadow.Adapters, next.Shadow.Domains);
            }
        }

        var rows = (QueueState?[]?[])_base.Rows.Clone();
        var rebound = new List<Rebound>();
        for (var a = 0; a < 256; a++)
        {
            var domains = candidates[a] & usage;
            var baseRow = _base.Rows[a];
            if (!configured.Contains(a))
            {
                rows[a] = null;
                continue;
            }
            if (domains.IsEmpty)
            {
                continue;
            }
            QueueState?[]? row = null;
            MdevId?[]? scanned = null;
            foreach (var d in domains)
            {
                var apqn = new Apqn((byte)a, (byte)d);
                var old = baseRow?[d];
                var driver = binding.DriverFor(a, d);
                MdevId? owner;
                if (old is null || _fullRebuild)
                {
                    scanned ??= ScanOwners(mdevs, a);
                    owner = scanned[d];
                }
                else
                {
                    owner = Owner(changes, apqn, old.Mdev);
                }
                string? guest = null;
                if (owner is { } o)
                {
                    var device = mdevs[IndexOf(mdevs, o)];
                    if (device.Guest is not null && device.Shadow.Contains(apqn))
                    {
                        guest = device.Guest;
                    }
                }
                var fresh = new QueueState(apqn, driver, owner, guest, true, version);
                if (old is not null && old.SameAs(fresh))
                {
                    continue;
                }
                row ??= baseRow is null ? new QueueState?[256] : (QueueState?[])baseRow.Clone();
                row[d] = fresh;
                if (old is not null && old.Driver != driver)
                {
                    rebound.Add(new Rebound(apqn, old.Driver, driver));
                }
            }
            if (row is not null)
            {
                rows[a] = row;
            }
        }

        var bus = _apm == _base.Bus.Apmask && _aqm == _base.Bus.Aqmask ? _base.Bus : new BusState(_apm, _aqm, version);
        return (new ApSnapshot(version, topology, bus, adapters, _cex, _vfio, mdevs, guests, rows), rebound);
    }

    private static MdevId? Owner(Dictionary<MdevId, (MatrixDevice? Old, MatrixDevice? New)> changes, Apqn apqn, MdevId? previous)
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

    private static MdevId?[] ScanOwners(ImmutableArray<MatrixDevice> mdevs, int adapter)
    {
        var owners = new MdevId?[256];
        foreach (var m in mdevs)
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

    private static int IndexOf(ImmutableArray<MatrixDevice> devices, MdevId id) => MatrixDevices.IndexOf(devices.AsSpan(), id);

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
