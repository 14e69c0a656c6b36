using System.Collections.Immutable;
using System.Runtime.InteropServices;
using ApManager.Core.Host;
using ApManager.Core.Journal;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.State;

/// <summary>
/// Turns what the host shows into ApManager's snapshot: each resource keeps its view (and
/// version) while the host shows it unchanged, and gets the step's version when it changed.
/// Unchanged parts of one host lineage are the same objects, so most comparisons are by
/// reference; a fresh read (a real host) is compared by value.
/// </summary>
internal static class SnapshotBuilder
{
    /// <summary>The first snapshot of a host: every resource at <paramref name="version"/>, devices named as given.</summary>
    public static ApSnapshot Initial(HostState host, IReadOnlyDictionary<MdevId, string?> names, long version = 1) =>
        Build(host, names, version, version, _ => version, _ => version, _ => version);

    /// <summary>The snapshot a store kept, over what the host shows now: versions as stored.</summary>
    public static ApSnapshot Restore(HostState host, PersistedState stored)
    {
        var adapters = stored.Adapters.ToDictionary(a => a.Id, a => a.Version);
        var devices = stored.Devices.ToDictionary(d => d.Id, d => d.Version);
        var names = stored.Devices.ToDictionary(d => d.Id, d => d.Name);
        return Build(host, names, stored.GlobalVersion, stored.BusVersion,
            a => adapters.GetValueOrDefault(a, stored.GlobalVersion),
            d => devices.GetValueOrDefault(d, stored.GlobalVersion),
            q => stored.QueueVersions.GetValueOrDefault(q, stored.GlobalVersion), stored.Forms);
    }

    private static ApSnapshot Build(HostState host, IReadOnlyDictionary<MdevId, string?> names, long version, long busVersion,
        Func<int, long> adapterVersion, Func<MdevId, long> deviceVersion, Func<Masks.Apqn, long> queueVersion, IReadOnlyDictionary<MdevId, Persistence.MdevctlDefinition?>? forms = null)
    {
        var adapters = new AdapterState?[256];
        foreach (var card in host.Cards)
        {
            adapters[card.Id] = new AdapterState(card, adapterVersion(card.Id));
        }
        var mdevs = host.Devices.Select(d => new MatrixDevice(d, names.GetValueOrDefault(d.Id), deviceVersion(d.Id)) { Mdevctl = forms?.GetValueOrDefault(d.Id) }).ToImmutableArray();
        var rows = new QueueState?[]?[256];
        for (var a = 0; a < 256; a++)
        {
            if (host.Rows[a] is not { } row)
            {
                continue;
            }
            var views = new QueueState?[256];
            for (var d = 0; d < 256; d++)
            {
                if (row[d] is { } q)
                {
                    views[d] = new QueueState(q, queueVersion(q.Apqn));
                }
            }
            rows[a] = views;
        }
        return new ApSnapshot(version, host, new BusState(host.Apmask, host.Aqmask, busVersion), adapters, mdevs, rows);
    }

    /// <summary>
    /// The next snapshot after <paramref name="basis"/> for what the host shows now, with the names
    /// in <paramref name="names"/> set, and what the step changed. <paramref name="basis"/> itself
    /// when nothing changed; a snapshot at the same version when only request counters did
    /// (counters are not state: they change no version).
    /// </summary>
    public static (ApSnapshot Next, StepDelta Delta) Next(ApSnapshot basis, HostState host, IReadOnlyDictionary<MdevId, string?>? names = null, IReadOnlyDictionary<MdevId, Persistence.MdevctlDefinition?>? forms = null)
    {
        var version = basis.Version + 1;
        var old = basis.Host;
        var changed = !old.Drivers.SequenceEqual(host.Drivers) || old.VfioApInUse != host.VfioApInUse || old.MaxDevices != host.MaxDevices;
        var counters = false;

        var bus = basis.Bus;
        if (host.Apmask != bus.Apmask || host.Aqmask != bus.Aqmask)
        {
            bus = new BusState(host.Apmask, host.Aqmask, version);
            changed = true;
        }

        var adapters = basis.AdapterById;
        if (!ReferenceEquals(host.CardById, old.CardById))
        {
            for (var i = 0; i < 256; i++)
            {
                var card = host.CardById[i];
                var view = adapters[i];
                if (card is null ? view is null : view is not null && ReferenceEquals(view.Card, card))
                {
                    continue;
                }
                AdapterState? next;
                if (card is not null && view is not null && view.Card == card)
                {
                    if (view.RequestCount == card.RequestCount)
                    {
                        continue;
                    }
                    next = view with { Card = card };
                    counters = true;
                }
                else
                {
                    next = card is null ? null : new AdapterState(card, version);
                    changed = true;
                }
                if (ReferenceEquals(adapters, basis.AdapterById))
                {
                    adapters = (AdapterState?[])adapters.Clone();
                }
                adapters[i] = next;
            }
        }

        var mdevs = basis.MdevArray;
        if (host.Devices != old.Devices || names is not null || forms is not null)
        {
            (mdevs, var devicesChanged) = Devices(basis.MdevArray, host.Devices, new Labels(names, forms), version);
            changed |= devicesChanged;
        }

        var rows = Rows(basis, host, version);
        changed |= rows.Changed;
        counters |= rows.Counters;
        var delta = new StepDelta(rows.Rebound, rows.Switched);
        if (changed)
        {
            return (new ApSnapshot(version, host, bus, adapters, mdevs, rows.Rows), delta);
        }
        return counters ? (new ApSnapshot(basis.Version, host, basis.Bus, adapters, basis.MdevArray, rows.Rows), StepDelta.None) : (basis, StepDelta.None);
    }

    /// <summary>The device views for the host's devices (both sorted by UUID): a view is kept while its device and name are.</summary>
    private static (ImmutableArray<MatrixDevice> Devices, bool Changed) Devices(
        ImmutableArray<MatrixDevice> views, ImmutableArray<HostDevice> devices, Labels labels, long version)
    {
        return views.Length == devices.Length && Aligned(views, devices, labels, version) is { } aligned
            ? aligned
            : Merged(views, devices, labels, version);
    }

    /// <summary>
    /// The common case, no device created or removed: views and devices pair up index by index, so
    /// one pass finds what changed and one copy of the view array takes it. Null when the ids differ.
    /// </summary>
    private static (ImmutableArray<MatrixDevice>, bool)? Aligned(
        ImmutableArray<MatrixDevice> views, ImmutableArray<HostDevice> devices, Labels labels, long version)
    {
        MatrixDevice[]? next = null;
        for (var i = 0; i < devices.Length; i++)
        {
            var view = views[i];
            var device = devices[i];
            if (ReferenceEquals(view.Device, device) && labels.None)
            {
                continue;
            }
            if (view.Id != device.Id)
            {
                return null;
            }
            var (name, form) = labels.Of(device.Id, view);
            if ((ReferenceEquals(view.Device, device) || view.Device == device) && view.Name == name && Equals(view.Mdevctl, form))
            {
                continue;
            }
            next ??= views.ToArray();
            next[i] = new MatrixDevice(device, name, version) { Mdevctl = form };
        }
        return next is null ? (views, false) : (ImmutableCollectionsMarshal.AsImmutableArray(next), true);
    }

    /// <summary>Devices were created or removed: merge the two sorted lists.</summary>
    private static (ImmutableArray<MatrixDevice>, bool) Merged(
        ImmutableArray<MatrixDevice> views, ImmutableArray<HostDevice> devices, Labels labels, long version)
    {
        var result = new MatrixDevice[devices.Length];
        var changed = views.Length != devices.Length;
        var i = 0;
        for (var j = 0; j < devices.Length; j++)
        {
            var device = devices[j];
            while (i < views.Length && views[i].Id.CompareTo(device.Id) < 0)
            {
                i++;
                changed = true;
            }
            var view = i < views.Length && views[i].Id == device.Id ? views[i++] : null;
            var (name, form) = labels.Of(device.Id, view);
            if (view is not null && (ReferenceEquals(view.Device, device) || view.Device == device) && view.Name == name && Equals(view.Mdevctl, form))
            {
                result[j] = view;
                continue;
            }
            result[j] = new MatrixDevice(device, name, version) { Mdevctl = form };
            changed = true;
        }
        return changed ? (ImmutableCollectionsMarshal.AsImmutableArray(result), true) : (views, false);
    }

    /// <summary>The names and imported mdevctl forms a step sets; a device not listed keeps what it had (nothing, when new to ApManager).</summary>
    private readonly record struct Labels(IReadOnlyDictionary<MdevId, string?>? Names, IReadOnlyDictionary<MdevId, Persistence.MdevctlDefinition?>? Forms)
    {
        public bool None => Names is null && Forms is null;

        public (string? Name, Persistence.MdevctlDefinition? Form) Of(MdevId id, MatrixDevice? view) => (
            Names is not null && Names.TryGetValue(id, out var name) ? name : view?.Name,
            Forms is not null && Forms.TryGetValue(id, out var form) ? form : view?.Mdevctl);
    }

    /// <summary>The queue views and what changed in them.</summary>
    private readonly record struct RowChanges(QueueState?[]?[] Rows, bool Changed, bool Counters, IReadOnlyList<Rebound> Rebound, IReadOnlyList<Apqn> Switched);

    /// <summary>The queue rows: only rows the host shows as changed are compared cell by cell.</summary>
    private static RowChanges Rows(ApSnapshot basis, HostState host, long version)
    {
        var old = basis.Host;
        if (ReferenceEquals(host.Rows, old.Rows))
        {
            return new RowChanges(basis.Rows, false, false, [], []);
        }
        QueueState?[]?[]? rows = null;
        List<Rebound>? rebound = null;
        List<Apqn>? switched = null;
        bool changed = false, counters = false;
        for (var a = 0; a < 256; a++)
        {
            var hostRow = host.Rows[a];
            var oldRow = old.Rows[a];
            if (ReferenceEquals(hostRow, oldRow))
            {
                continue;
            }
            var viewRow = basis.Rows[a];
            QueueState?[]? next = null;
            if (hostRow is not null)
            {
                for (var d = 0; d < 256; d++)
                {
                    var info = hostRow[d];
                    var view = viewRow?[d];
                    if (info is null ? view is null : view is not null && ReferenceEquals(view.Info, info))
                    {
                        continue;
                    }
                    QueueState? fresh;
                    if (info is not null && view is not null && view.Info == info)
                    {
                        if (view.RequestCount == info.RequestCount)
                        {
                            continue;
                        }
                        fresh = view with { Info = info };
                        counters = true;
                    }
                    else
                    {
                        fresh = info is null ? null : new QueueState(info, version);
                        changed = true;
                        if (info is not null && oldRow?[d] is { } before)
                        {
                            if (before.Driver != info.Driver)
                            {
                                (rebound ??= []).Add(new Rebound(info.Apqn, before.Driver, info.Driver));
                            }
                            if (before.Online != info.Online || before.Checkstopped != info.Checkstopped)
                            {
                                (switched ??= []).Add(info.Apqn);
                            }
                        }
                    }
                    next ??= viewRow is null ? new QueueState?[256] : (QueueState?[])viewRow.Clone();
                    next[d] = fresh;
                }
                if (next is null)
                {
                    continue;
                }
            }
            else if (viewRow is null)
            {
                continue;
            }
            else
            {
                changed = true;
            }
            rows ??= (QueueState?[]?[])basis.Rows.Clone();
            rows[a] = next;
        }
        return new RowChanges(rows ?? basis.Rows, changed, counters, rebound ?? (IReadOnlyList<Rebound>)[], switched ?? (IReadOnlyList<Apqn>)[]);
    }
}
