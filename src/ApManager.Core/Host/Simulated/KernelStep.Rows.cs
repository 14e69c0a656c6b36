using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Host.Simulated;

/// <summary>
/// The queue rows of the next state: which cells a change can touch (rectangles of adapters ×
/// domains), each queue's driver by the binding rule, its online switch, device and guest.
/// </summary>
internal sealed partial class KernelStep
{
    /// <summary>The queue rows: only the (adapter, domain) cells a change can touch are recomputed.</summary>
    private QueueInfo?[]?[] Rows(BindingContext binding, ApMask configured, bool contextChanged,
        Dictionary<MdevId, (HostDevice? Old, HostDevice? New)> changes, ImmutableArray<HostDevice> devices)
    {
        // The candidate cells per adapter (8 KiB) come from a pool: a mask change needs them on every
        // step, and allocating them was a quarter of all bytes allocated under a wrk write load.
        ApMask[]? candidates = null;
        try
        {
            return Rows(binding, configured, contextChanged, changes, devices, ref candidates);
        }
        finally
        {
            if (candidates is not null)
            {
                ArrayPool<ApMask>.Shared.Return(candidates);
            }
        }
    }

    private static ApMask[] RentCandidates()
    {
        var candidates = ArrayPool<ApMask>.Shared.Rent(256);
        Array.Clear(candidates, 0, 256);
        return candidates;
    }

    private QueueInfo?[]?[] Rows(BindingContext binding, ApMask configured, bool contextChanged,
        Dictionary<MdevId, (HostDevice? Old, HostDevice? New)> changes, ImmutableArray<HostDevice> devices, ref ApMask[]? candidates)
    {
        var topology = _base.Topology;
        var usage = topology.UsageDomains;
        if (contextChanged || _fullRebuild)
        {
            candidates = RentCandidates();
            foreach (var a in topology.AdapterIds | _configuredChanged)
            {
                candidates[a] = usage;
            }
        }
        foreach (var (old, next) in changes.Values)
        {
            candidates ??= RentCandidates();
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
            candidates ??= RentCandidates();
            candidates[a] = usage;
        }
        foreach (var q in _queueOnline?.Keys ?? (IEnumerable<Apqn>)[])
        {
            candidates ??= RentCandidates();
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
