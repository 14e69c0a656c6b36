using System.Collections.Immutable;
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
    /// give the host (driver cex4queue, device and guest null), else APQNs another device holds.
    /// </summary>
    public static Refusal? CheckAssignment(ApMask apmask, ApMask aqmask, ImmutableArray<HostDevice> devices, MdevId id, Assignment next)
    {
        var ownedA = next.Adapters & apmask;
        var ownedD = next.Domains & aqmask;
        if (!ownedA.IsEmpty && !ownedD.IsEmpty)
        {
            var owned = new List<Offender>(ownedA.Count * ownedD.Count);
            Offender.AddRectangle(owned, ownedA, ownedD, WellKnownDrivers.Cex4Queue, null, null);
            return new ApqnOwnedByHost(id, owned);
        }
        List<Offender>? conflicts = null;
        foreach (var other in devices.AsSpan())
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
    public static IReadOnlyList<Offender> InUse(ImmutableArray<HostDevice> devices, InUseQuery query)
    {
        // An empty rectangle holds no APQN: decide that once, not once per device. The per-device
        // tests stay in the loop (no call) and only test overlap; most devices miss the query.
        var (a1, d1, a2, d2) = (query.Adapters1, query.Domains1, query.Adapters2, query.Domains2);
        var first = !a1.IsEmpty && !d1.IsEmpty;
        var second = !a2.IsEmpty && !d2.IsEmpty;
        List<Offender>? offenders = null;
        foreach (var device in devices.AsSpan())
        {
            var assigned = device.Assignment;
            if (first && assigned.Adapters.Overlaps(a1) && assigned.Domains.Overlaps(d1))
            {
                offenders ??= [];
                Offender.AddRectangle(offenders, assigned.Adapters & a1, assigned.Domains & d1, WellKnownDrivers.VfioAp, device.Id, device.Guest);
            }
            if (second && assigned.Adapters.Overlaps(a2) && assigned.Domains.Overlaps(d2))
            {
                offenders ??= [];
                Offender.AddRectangle(offenders, assigned.Adapters & a2, assigned.Domains & d2, WellKnownDrivers.VfioAp, device.Id, device.Guest);
            }
        }
        return offenders is null ? [] : Offender.Normalize(offenders);
    }
}
