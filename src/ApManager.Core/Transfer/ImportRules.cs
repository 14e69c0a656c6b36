using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;

namespace ApManager.Core.Transfer;

/// <summary>
/// The rules a whole configuration must meet (SPEC §8 import), in order, every offender listed:
/// the matrix rules of <see cref="MatrixRules"/> applied to all devices at once, plus the guest rules.
/// </summary>
public static class ImportRules
{
    /// <summary>The rules that depend on nothing but the input (and the masks a relative write edits): masks parse, device names.</summary>
    public static Refusal? CheckSyntax(FullImport plan, ApMask currentApmask, ApMask currentAqmask, out ParsedMasks masks)
    {
        ArgumentNullException.ThrowIfNull(plan);
        masks = default;
        var apm = MaskRules.Parse(plan.Apmask, null, currentApmask, currentAqmask);
        if (!apm.Success)
        {
            return MaskRules.Refusal(apm, plan.Apmask, null);
        }
        var aqm = MaskRules.Parse(null, plan.Aqmask, currentApmask, currentAqmask);
        if (!aqm.Success)
        {
            return MaskRules.Refusal(aqm, null, plan.Aqmask);
        }
        // The same name rule as a create (SPEC §5): an import must not smuggle in what POST refuses.
        foreach (var device in plan.Devices)
        {
            if (Names.CheckDeviceName(device.Name) is { } badName)
            {
                return badName;
            }
        }
        masks = new ParsedMasks(apm.Apmask, aqm.Aqmask, null, default);
        return null;
    }

    /// <summary>
    /// The state rules, in order: listed adapters exist, every id in range (every kind), then the
    /// configuration rules of <see cref="CheckConfiguration"/>. On success, the write that applies it.
    /// </summary>
    public static Refusal? CheckState(FullImport plan, ParsedMasks masks, HostTopology topology, int maxDevices, out ReplaceConfiguration? write)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(topology);
        write = null;
        foreach (var id in plan.Configured.Keys)
        {
            if (topology.Adapter(id) is null)
            {
                return new NotFound("adapter", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        if (MatrixRules.CheckRange(plan.Devices.SelectMany(d => d.Adapters), plan.Devices.SelectMany(d => d.Domains),
                plan.Devices.SelectMany(d => d.ControlDomains), topology.MaxAdapterId, topology.MaxDomainId) is { } outOfRange)
        {
            return outOfRange;
        }
        var devices = plan.Devices
            .Select(d => (d.Id, Assignment: new Assignment(
                ApMask.Of(d.Adapters.Select(a => (int)a)), ApMask.Of(d.Domains.Select(x => (int)x)), ApMask.Of(d.ControlDomains.Select(x => (int)x)))))
            .ToList();
        if (CheckConfiguration(masks.Apmask, masks.Aqmask, devices, plan.Guests, maxDevices) is { } refused)
        {
            return refused;
        }
        var guestOf = plan.Guests.ToDictionary(g => g.Value, g => g.Key);
        write = new ReplaceConfiguration(masks.Apmask, masks.Aqmask, plan.Configured,
            [.. devices.Select(d => (d.Id, d.Assignment, guestOf.GetValueOrDefault(d.Id)))]);
        return null;
    }

    /// <summary>
    /// The rules over whole configuration, in order: the device cap, unique UUIDs, no APQN owned by
    /// the host (under the new masks), guests (valid names, devices in the configuration, one guest
    /// per device), no APQN shared between devices.
    /// </summary>
    public static Refusal? CheckConfiguration(ApMask apmask, ApMask aqmask, IReadOnlyList<(MdevId Id, Assignment Assignment)> devices,
        IReadOnlyDictionary<string, MdevId> guests, int maxDevices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(guests);
        if (devices.Count > maxDevices)
        {
            return new MdevLimitReached(maxDevices);
        }
        var ids = new HashSet<MdevId>();
        foreach (var (id, _) in devices)
        {
            if (!ids.Add(id))
            {
                return new MdevExists(id);
            }
        }
        var owned = new List<Offender>();
        foreach (var (id, assignment) in devices)
        {
            MatrixRules.AddOwnedByHost(owned, assignment, apmask, aqmask, id);
        }
        if (owned.Count > 0)
        {
            return new ApqnOwnedByHost(owned[0].Mdev!.Value, Offender.Normalize(owned));
        }
        var guestOf = new Dictionary<MdevId, string>();
        foreach (var (guest, id) in guests)
        {
            if (Names.CheckGuestName(guest) is { } bad)
            {
                return bad;
            }
            if (!ids.Contains(id))
            {
                return new InvalidInput("guests", $"Guest '{guest}' is attached to matrix device {id}, which the import does not contain.");
            }
            if (guestOf.TryGetValue(id, out var other))
            {
                return new MdevInUse(id, other);
            }
            guestOf[id] = guest;
        }
        List<Offender>? conflicts = null;
        MdevId? first = null;
        for (var i = 0; i < devices.Count; i++)
        {
            var before = conflicts?.Count ?? 0;
            for (var j = 0; j < devices.Count; j++)
            {
                if (i != j)
                {
                    MatrixRules.AddConflicts(ref conflicts, devices[i].Assignment, devices[j].Id, devices[j].Assignment, guestOf.GetValueOrDefault(devices[j].Id));
                }
            }
            if (first is null && (conflicts?.Count ?? 0) > before)
            {
                first = devices[i].Id;
            }
        }
        return conflicts is null ? null : new ApqnConflict(first!.Value, Offender.Normalize(conflicts));
    }
}
