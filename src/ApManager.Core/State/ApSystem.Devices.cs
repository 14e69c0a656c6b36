using System.Globalization;
using ApManager.Core.Audit;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;

namespace ApManager.Core.State;

/// <summary>The matrix device commands (SPEC §5, §6): create, delete, assign, replace the configuration, guests.</summary>
public sealed partial class ApSystem
{
    public Outcome<MdevChange> CreateMdev(MdevId? id, string? name, WriteOptions options = default)
    {
        var uuid = id ?? NewUnusedId(Head);
        var audit = new AuditInfo("mdev.create", $"mdev/{uuid}", AuditJson.Serialize(new { uuid = id?.ToString(), name }), s => AuditJson.Device(s.Mdev(uuid)));
        return _runner.Run<MdevChange>(options, audit, s =>
        {
            if (Names.CheckDeviceName(name) is { } bad)
            {
                return bad;
            }
            if (options.Fails(s.Version))
            {
                return new VersionMismatch("global", options.IfMatch!.Value.Expected, s.Version);
            }
            if (s.Mdev(uuid) is not null)
            {
                return new MdevExists(uuid);
            }
            if (s.Mdevs.Count >= MaxMdevs || s.Host.AvailableInstances == 0)
            {
                return new MdevLimitReached(Math.Min(MaxMdevs, s.Host.MaxDevices));
            }
            return new Writing<MdevChange>(new CreateDevice(uuid), (next, _) => new MdevChange(next.Mdev(uuid), options.DryRun, true),
                new Dictionary<MdevId, string?> { [uuid] = name });
        });
    }

    public Outcome<MdevChange> DeleteMdev(MdevId id, WriteOptions options = default) =>
        _runner.Run<MdevChange>(options, DeviceAudit("mdev.delete", id, null), s =>
        {
            if (Lookup(s, id, options) is { } refusal)
            {
                return refusal;
            }
            if (s.Mdev(id)!.Guest is { } guest)
            {
                return new MdevInUse(id, guest);
            }
            return new Writing<MdevChange>(new RemoveDevice(id), (_, _) => new MdevChange(null, options.DryRun, true));
        });

    /// <summary>Assign or unassign one id (SPEC §5), allowed with a guest attached (hot plug).</summary>
    public Outcome<MdevChange> Assign(MdevId id, AssignTarget target, long value, bool assign, WriteOptions options = default)
    {
        var audit = DeviceAudit($"mdev.{(assign ? "assign" : "unassign")}-{target.KindName()}", id, value.ToString(CultureInfo.InvariantCulture));
        return _runner.Run<MdevChange>(options, audit, s =>
        {
            if (Lookup(s, id, options) is { } refusal)
            {
                return refusal;
            }
            var device = s.Mdev(id)!;
            if (MatrixRules.CheckRange(target, value, s.Topology.MaxAdapterId, s.Topology.MaxDomainId) is { } outOfRange)
            {
                return outOfRange;
            }
            if (device.Assignment.Get(target).Contains((int)value) == assign)
            {
                return new MdevChange(device, options.DryRun, false);
            }
            var next = device.Assignment.With(target, (int)value, assign);
            if (assign && target != AssignTarget.ControlDomain && MatrixRules.CheckAssignment(s.Host, id, next) is { } refused)
            {
                return refused;
            }
            return Changed(id, new AssignId(id, target, value, assign), options);
        });
    }

    /// <summary>Replaces the whole assignment in one atomic step (the kernel's <c>ap_config</c>).</summary>
    public Outcome<MdevChange> ReplaceConfig(MdevId id, IReadOnlyCollection<long> adapters, IReadOnlyCollection<long> domains, IReadOnlyCollection<long> controlDomains, WriteOptions options = default)
    {
        var audit = DeviceAudit("mdev.config", id, AuditJson.Serialize(new { adapters, domains, controlDomains }));
        return _runner.Run<MdevChange>(options, audit, s =>
        {
            if (Lookup(s, id, options) is { } refusal)
            {
                return refusal;
            }
            var device = s.Mdev(id)!;
            if (MatrixRules.CheckRange(adapters, domains, controlDomains, s.Topology.MaxAdapterId, s.Topology.MaxDomainId) is { } outOfRange)
            {
                return outOfRange;
            }
            var next = new Assignment(
                ApMask.Of(adapters.Select(a => (int)a)),
                ApMask.Of(domains.Select(d => (int)d)),
                ApMask.Of(controlDomains.Select(d => (int)d)));
            if (next == device.Assignment)
            {
                return new MdevChange(device, options.DryRun, false);
            }
            if (MatrixRules.CheckAssignment(s.Host, id, next) is { } refused)
            {
                return refused;
            }
            return Changed(id, new WriteDeviceConfig(id, next), options);
        });
    }

    /// <summary>Attaches a guest (SPEC §6): one guest per device, one device per guest.</summary>
    public Outcome<MdevChange> AttachGuest(MdevId id, string guest, WriteOptions options = default) =>
        _runner.Run<MdevChange>(options, DeviceAudit("mdev.attach-guest", id, guest), s =>
        {
            if (Names.CheckGuestName(guest) is { } bad)
            {
                return bad;
            }
            if (Host.Kind == HostKind.Sysfs && s.Mdev(id) is not null)
            {
                return new GuestManagedByLibvirt(id);
            }
            if (Lookup(s, id, options) is { } refusal)
            {
                return refusal;
            }
            var device = s.Mdev(id)!;
            if (device.Guest == guest)
            {
                return new MdevChange(device, options.DryRun, false);
            }
            if (device.Guest is { } other)
            {
                return new MdevInUse(id, other);
            }
            if (s.Guests.TryGetValue(guest, out var holder))
            {
                return new GuestHasMdev(guest, holder);
            }
            return Changed(id, new SetGuest(id, guest), options);
        });

    public Outcome<MdevChange> DetachGuest(MdevId id, WriteOptions options = default) =>
        _runner.Run<MdevChange>(options, DeviceAudit("mdev.detach-guest", id, null), s =>
        {
            if (Lookup(s, id, options) is { } refusal)
            {
                return refusal;
            }
            if (Host.Kind == HostKind.Sysfs)
            {
                return new GuestManagedByLibvirt(id);
            }
            var device = s.Mdev(id)!;
            return device.Guest is null ? new MdevChange(device, options.DryRun, false) : Changed(id, new SetGuest(id, null), options);
        });

    /// <summary>The device exists and meets If-Match (SPEC §8 check order: 404, then 412).</summary>
    private static Refusal? Lookup(ApSnapshot s, MdevId id, WriteOptions options)
    {
        if (s.Mdev(id) is not { } device)
        {
            return new NotFound("mdev", id.ToString());
        }
        return options.Fails(device.Version) ? new VersionMismatch("mdev", options.IfMatch!.Value.Expected, device.Version) : null;
    }

    private static Writing<MdevChange> Changed(MdevId id, HostWrite write, WriteOptions options) =>
        new(write, (next, _) => new MdevChange(next.Mdev(id), options.DryRun, true));

    private static AuditInfo DeviceAudit(string action, MdevId id, string? input) =>
        new(action, $"mdev/{id}", input, s => AuditJson.Device(s.Mdev(id)));

    /// <summary>A random version-4 UUID no device has, as mdevctl generates one.</summary>
    private static MdevId NewUnusedId(ApSnapshot s)
    {
        while (true)
        {
            var id = MdevId.NewRandom();
            if (s.Mdev(id) is null)
            {
                return id;
            }
        }
    }
}
