using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Refusals;

namespace ApManager.Core.Matrix;

/// <summary>
/// The vfio_ap rules for matrix devices (SPEC §4, §5), each once: the id range, owned-by-host,
/// sharing and in_use. The simulated kernel calls them to decide its errno, the manager to list
/// every offender before writing, import and the benchmarks alike.
/// </summary>
public static class MatrixRules
{
    /// <summary>Check 1 for one id: above the host maximum of its kind (ENODEV).</summary>
    public static IdOutOfRange? CheckRange(AssignTarget target, long value, int maxAdapterId, int maxDomainId)
    {
        var max = target == AssignTarget.Adapter ? maxAdapterId : maxDomainId;
        return value < 0 || value > max ? new IdOutOfRange(target.KindName(), [value], max) : null;
    }

    /// <summary>
    /// Check 1 for whole id lists (a config replace, an import): every offending id of every kind,
    /// the first kind in front and the others in <see cref="IdOutOfRange.More"/>.
    /// </summary>
    public static IdOutOfRange? CheckRange(IEnumerable<long> adapters, IEnumerable<long> domains, IEnumerable<long> controlDomains, int maxAdapterId, int maxDomainId)
    {
        List<IdOutOfRange> found = [];
        AddOutOfRange(found, AssignTarget.Adapter, adapters, maxAdapterId);
        AddOutOfRange(found, AssignTarget.Domain, domains, maxDomainId);
        AddOutOfRange(found, AssignTarget.ControlDomain, controlDomains, maxDomainId);
        return found.Count == 0 ? null : found[0] with { More = found[1..] };
    }

    private static void AddOutOfRange(List<IdOutOfRange> found, AssignTarget target, IEnumerable<long> ids, int max)
    {
        var bad = ids.Where(id => id < 0 || id > max).Distinct().Order().ToList();
        if (bad.Count > 0)
        {
            found.Add(new IdOutOfRange(target.KindName(), bad, max));
        }
    }

    /// <summary>
    /// Checks 3 and 4 for a device's would-be assignment: APQNs of adapters × domains the masks
    /// give the host (driver cex4queue, device and guest null), else APQNs another device holds
    /// (only devices on the assignment's adapters can hold one).
    /// </summary>
    public static Refusal? CheckAssignment(HostState state, MdevId id, Assignment next)
    {
        ArgumentNullException.ThrowIfNull(state);
        var ownedA = next.Adapters & state.Apmask;
        var ownedD = next.Domains & state.Aqmask;
        if (!ownedA.IsEmpty && !ownedD.IsEmpty)
        {
            var owned = new List<Offender>(ownedA.Count * ownedD.Count);
            Offender.AddRectangle(owned, ownedA, ownedD, WellKnownDrivers.Cex4Queue, null, null);
            return new ApqnOwnedByHost(id, owned);
        }
        if (next.Domains.IsEmpty)
        {
            return null;
        }
        List<Offender>? conflicts = null;
        foreach (var other in state.ByAdapter.On(next.Adapters))
        {
            if (other.Id != id)
            {
                AddConflicts(ref conflicts, next, other.Id, other.Assignment, other.Guest);
            }
        }
        return conflicts is null ? null : new ApqnConflict(id, Offender.Normalize(conflicts));
    }

    /// <summary>The APQNs of <paramref name="assignment"/> the masks give the host, attributed to <paramref name="device"/>.</summary>
    public static void AddOwnedByHost(List<Offender> into, Assignment assignment, ApMask apmask, ApMask aqmask, MdevId? device) =>
        Offender.AddRectangle(into, assignment.Adapters & apmask, assignment.Domains & aqmask, WellKnownDrivers.Cex4Queue, device, null);

    /// <summary>The APQNs <paramref name="next"/> shares with another device's assignment, attributed to that device and its guest.</summary>
    public static void AddConflicts(ref List<Offender>? into, Assignment next, MdevId other, Assignment otherAssignment, string? otherGuest)
    {
        var a = otherAssignment.Adapters & next.Adapters;
        if (a.IsEmpty)
        {
            return;
        }
        var d = otherAssignment.Domains & next.Domains;
        if (d.IsEmpty)
        {
            return;
        }
        into ??= [];
        Offender.AddRectangle(into, a, d, WellKnownDrivers.VfioAp, other, otherGuest);
    }

    /// <summary>
    /// The kernel's <c>vfio_ap_mdev_resource_in_use</c>, but over every matrix device: an APQN is in
    /// use when it lies in any device's adapters × domains, guest or not. Intersects masks per
    /// device; allocates only for the offenders it finds.
    /// </summary>
    public static IReadOnlyList<Offender> InUse(HostState state, InUseQuery query)
    {
        ArgumentNullException.ThrowIfNull(state);
        // An empty rectangle holds no APQN: decide that once, not once per device. Only devices on
        // the asked adapters can hold an asked APQN; the per-device tests then only test overlap.
        var (a1, d1, a2, d2) = (query.Adapters1, query.Domains1, query.Adapters2, query.Domains2);
        var first = !a1.IsEmpty && !d1.IsEmpty;
        var second = !a2.IsEmpty && !d2.IsEmpty;
        var adapters = (first ? a1 : default) | (second ? a2 : default);
        // Two loops in two methods: each gets code (and profile-guided layout) for its own case.
        var offenders = DevicesByAdapter.WorthIndexing(adapters)
            ? InUseIndexed(state.ByAdapter.On(adapters), first, a1, d1, second, a2, d2)
            : InUseScan(state.Devices.AsSpan(), first, a1, d1, second, a2, d2);
        return offenders is null ? [] : Offender.Normalize(offenders);
    }

    private static List<Offender>? InUseIndexed(DevicesByAdapter.Enumerator devices, bool first, ApMask a1, ApMask d1, bool second, ApMask a2, ApMask d2)
    {
        List<Offender>? offenders = null;
        foreach (var device in devices)
        {
            if (first && device.Adapters.Overlaps(a1) && device.Domains.Overlaps(d1))
            {
                Collect(ref offenders, device, a1, d1);
            }
            if (second && device.Adapters.Overlaps(a2) && device.Domains.Overlaps(d2))
            {
                Collect(ref offenders, device, a2, d2);
            }
        }
        return offenders;
    }

    /// <summary>Most adapters asked (a new aqmask bit asks about every adapter): one plain pass is fastest.</summary>
    private static List<Offender>? InUseScan(ReadOnlySpan<HostDevice> devices, bool first, ApMask a1, ApMask d1, bool second, ApMask a2, ApMask d2)
    {
        List<Offender>? offenders = null;
        foreach (var device in devices)
        {
            if (first && device.Adapters.Overlaps(a1) && device.Domains.Overlaps(d1))
            {
                Collect(ref offenders, device, a1, d1);
            }
            if (second && device.Adapters.Overlaps(a2) && device.Domains.Overlaps(d2))
            {
                Collect(ref offenders, device, a2, d2);
            }
        }
        return offenders;
    }

    /// <summary>The device's APQNs in adapters × domains, all refused by vfio_ap for the device and its guest.</summary>
    private static void Collect(ref List<Offender>? offenders, HostDevice device, ApMask adapters, ApMask domains)
    {
        offenders ??= [];
        Offender.AddRectangle(offenders, device.Adapters & adapters, device.Domains & domains, WellKnownDrivers.VfioAp, device.Id, device.Guest);
    }
}
