using System.Collections.Immutable;
using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Journal;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.State;

/// <summary>
/// The AP bus with its permissions store, driver registry and vfio_ap matrix devices.
/// One writer at a time (the kernel's <c>ap_perms_mutex</c>): every mutation becomes the next
/// immutable snapshot under <see cref="_writer"/> and is published with one reference swap.
/// Attempts are judged against an immutable snapshot outside the lock; the lock only covers
/// checking that basis is still the head and queueing the result.
/// Readers take <see cref="Current"/> and never lock.
/// </summary>
public sealed class ApSystem
{
    public const int DefaultMaxMdevs = 65536;
    public const int MaxNameLength = 64;

    private readonly Lock _writer = new();
    private ApSnapshot _current;
    private ApSnapshot _head;
    // Bumped (under _writer) whenever a driver is registered or unregistered.
    private int _registryEpoch;

    /// <summary>An in-memory system seeded from the host (tests, benchmarks, the in-memory mode).</summary>
    public ApSystem(IApHost host, int maxMdevs = DefaultMaxMdevs)
        : this(host, new InMemoryJournal(), null, maxMdevs, TimeProvider.System)
    {
    }

    /// <summary>
    /// A system over a journal: restored from <paramref name="restored"/> when the store had
    /// state, otherwise seeded from the host's initial state and handed to the journal once.
    /// </summary>
    public ApSystem(IApHost host, IStateJournal journal, PersistedState? restored, int maxMdevs, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(journal);
        Host = host;
        Journal = journal;
        MaxMdevs = maxMdevs;
        Time = time;
        Drivers.Register(WellKnownDrivers.Cex4QueueDriver);
        Drivers.Register(WellKnownDrivers.VfioApDriver);
        var first = restored is null ? Seed(host) : Restore(host.Topology, restored);
        _current = first;
        _head = first;
        journal.Attach(this);
    }

    private static ApSnapshot Empty(HostTopology topology)
    {
        var adapters = new AdapterState?[256];
        foreach (var a in topology.Adapters)
        {
            adapters[a.Id] = new AdapterState(a.Id, a.Type, a.Configured, 0);
        }
        return new ApSnapshot(0, topology, new BusState(ApMask.Empty, ApMask.Empty, 0), adapters, true, true, [], ImmutableDictionary<string, MdevId>.Empty, new QueueState?[]?[256]);
    }

    private static ApSnapshot Seed(IApHost host)
    {
        var init = host.InitialState;
        var (first, _) = new StepBuilder(Empty(host.Topology))
            .SetMasks(init.Apmask, init.Aqmask)
            .ReplaceAllDevices(init.Devices.Select(d => (d.Id, d.Name, d.Assignment, d.Guest)))
            .Build();
        // Adapters carry version 1 like everything else in a freshly seeded state.
        for (var i = 0; i < 256; i++)
        {
            if (first.AdapterById[i] is { } a)
            {
                first.AdapterById[i] = a with { Version = first.Version };
            }
        }
        return first;
    }

    /// <summary>Rebuilds the exact state a store kept: derived fields recomputed, versions as stored.</summary>
    private static ApSnapshot Restore(HostTopology topology, PersistedState state)
    {
        var builder = new StepBuilder(Empty(topology)).SetMasks(state.Apmask, state.Aqmask);
        var versions = new Dictionary<int, long>();
        foreach (var (id, configured, version) in state.Adapters)
        {
            if (topology.Adapter(id) is not null)
            {
                builder.SetConfigured(id, configured);
                versions[id] = version;
            }
        }
        builder.ReplaceAllDevices(state.Devices.Select(d => (d.Id, d.Name, d.Assignment, d.Guest)));
        var (built, _) = builder.Build();
        var adapters = new AdapterState?[256];
        for (var i = 0; i < 256; i++)
        {
            if (built.AdapterById[i] is { } a)
            {
                adapters[i] = a with { Version = versions.GetValueOrDefault(i, state.GlobalVersion) };
            }
        }
        var deviceVersions = state.Devices.ToDictionary(d => d.Id, d => d.Version);
        var mdevs = built.MdevArray.Select(m => m with { Version = deviceVersions[m.Id] }).ToImmutableArray();
        var rows = new QueueState?[]?[256];
        for (var a = 0; a < 256; a++)
        {
            if (built.Rows[a] is not { } row)
            {
                continue;
            }
            var copy = new QueueState?[256];
            for (var d = 0; d < 256; d++)
            {
                if (row[d] is { } q)
                {
                    copy[d] = q with { Version = state.QueueVersions.GetValueOrDefault(q.Apqn, state.GlobalVersion) };
                }
            }
            rows[a] = copy;
        }
        return new ApSnapshot(state.GlobalVersion, topology, new BusState(state.Apmask, state.Aqmask, state.BusVersion), adapters,
            built.Cex4QueueBinds, built.VfioApBinds, mdevs, built.Guests, rows);
    }

    public IApHost Host { get; }

    public DriverRegistry Drivers { get; } = new();

    public int MaxMdevs { get; }

    public IStateJournal Journal { get; }

    public TimeProvider Time { get; }

    /// <summary>The latest durable snapshot: what readers see.</summary>
    public ApSnapshot Current => Volatile.Read(ref _current);

    /// <summary>The snapshot the next step builds on (ahead of <see cref="Current"/> while a commit is in flight).</summary>
    internal ApSnapshot Head => Volatile.Read(ref _head);

    /// <summary>Called by the journal once a step is durable: readers see it from now on.</summary>
    public void Publish(ApSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var previous = Volatile.Read(ref _current);
        if (snapshot.Version > previous.Version)
        {
            Volatile.Write(ref _current, snapshot);
            Committed?.Invoke(previous, snapshot);
        }
    }

    /// <summary>Raised when a step becomes visible to readers (durable), in version order.</summary>
    public event Action<ApSnapshot, ApSnapshot>? Committed;

    /// <summary>
    /// Called by the journal when a write failed: under the writer lock, fails every pending entry
    /// (through <paramref name="failPending"/>) and moves the head back to the last durable snapshot.
    /// </summary>
    public void Rollback(Action failPending)
    {
        ArgumentNullException.ThrowIfNull(failPending);
        lock (_writer)
        {
            failPending();
            Volatile.Write(ref _head, Current);
        }
    }

    // ---------------------------------------------------------------- bus masks

    /// <summary>
    /// One atomic change of apmask and/or aqmask (SPEC §2, §4): parse, If-Match, no-op check,
    /// in_use over exactly the APQNs that become default-owned, commit and rebind.
    /// </summary>
    public Outcome<BusChange> ChangeMasks(MaskInput? apmask, MaskInput? aqmask, long? ifMatch = null, bool dryRun = false, string? actor = null) =>
        Run<BusChange>(dryRun, new AuditInfo(
            apmask is not null && aqmask is not null ? "bus.masks" : apmask is not null ? "bus.apmask" : "bus.aqmask",
            "bus",
            apmask is not null && aqmask is not null ? AuditJson.Serialize(new { apmask = apmask.Value.Text, aqmask = aqmask.Value.Text }) : (apmask ?? aqmask)?.Text,
            actor,
            AuditJson.Bus), step =>
        {
            var s = step.Basis;
            var newApm = s.Bus.Apmask;
            var newAqm = s.Bus.Aqmask;
            if (apmask is { } ap)
            {
                var parsed = MaskParser.Parse(ap.Bytes, s.Bus.Apmask);
                if (!parsed.Success)
                {
                    return new InvalidMask("apmask", ap.Text, parsed.Errno, parsed.Position);
                }
                newApm = parsed.Mask;
            }
            if (aqmask is { } aq)
            {
                var parsed = MaskParser.Parse(aq.Bytes, s.Bus.Aqmask);
                if (!parsed.Success)
                {
                    return new InvalidMask("aqmask", aq.Text, parsed.Errno, parsed.Position);
                }
                newAqm = parsed.Mask;
            }
            if (ifMatch is { } expected && expected != s.Bus.Version)
            {
                return new VersionMismatch("bus", expected, s.Bus.Version);
            }
            if (newApm == s.Bus.Apmask && newAqm == s.Bus.Aqmask)
            {
                return new BusChange(s.Bus, [], dryRun);
            }
            var attribute = apmask is not null && aqmask is not null ? "apmask,aqmask" : apmask is not null ? "apmask" : "aqmask";
            var answer = Drivers.Query(s, InUseQuery.NewlyOwned(s.Bus.Apmask, s.Bus.Aqmask, newApm, newAqm));
            if (answer.Failed)
            {
                return new InUseCheckFailed(attribute, answer.FailedDriver!, answer.Failure!);
            }
            if (answer.Offenders.Count > 0)
            {
                var inputs = new Dictionary<string, string>();
                if (apmask is { } a1)
                {
                    inputs["apmask"] = a1.Text;
                }
                if (aqmask is { } a2)
                {
                    inputs["aqmask"] = a2.Text;
                }
                return new QueuesInUse(attribute, inputs, answer.Offenders);
            }
            var (next, rebound) = step.Commit(new StepBuilder(s).SetMasks(newApm, newAqm));
            return new BusChange(next.Bus, rebound, dryRun);
        });

    // ---------------------------------------------------------------- drivers

    /// <summary>Registers a driver; a binding driver re-applies the binding rule in one step.</summary>
    public void RegisterDriver(DriverDefinition driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        lock (_writer)
        {
            Drivers.Register(driver);
            _registryEpoch++;
        }
        Rebind("driver.register", driver.Name);
    }

    /// <summary>
    /// Unregisters a driver: first waits until none of its callbacks runs (queries in flight,
    /// dry runs included), then re-applies the binding rule in one step.
    /// </summary>
    public bool UnregisterDriver(string name)
    {
        if (!Drivers.Unregister(name))
        {
            return false;
        }
        lock (_writer)
        {
            _registryEpoch++;
        }
        Rebind("driver.unregister", name);
        return true;
    }

    /// <summary>Re-applies the binding rule after a registry change, as one audited step when it changes anything.</summary>
    private void Rebind(string action, string driver)
    {
        var outcome = Run<BusChange>(false, new AuditInfo(action, $"driver/{driver}", driver, "system", AuditJson.Bus), step =>
        {
            var s = step.Basis;
            var cex = Drivers.IsRegistered(WellKnownDrivers.Cex4Queue);
            var vfio = Drivers.IsRegistered(WellKnownDrivers.VfioAp);
            if (cex == s.Cex4QueueBinds && vfio == s.VfioApBinds)
            {
                return new BusChange(s.Bus, [], false);
            }
            var (next, rebound) = step.Commit(new StepBuilder(s).SetBindingDrivers(cex, vfio));
            return new BusChange(next.Bus, rebound, false);
        });
        outcome.Durable.GetAwaiter().GetResult();
    }

    // ---------------------------------------------------------------- adapters

    /// <summary>Simulates a hardware configure/deconfigure: queues appear or vanish, guest matrices follow.</summary>
    public Outcome<AdapterChange> SetAdapterConfigured(int id, bool configured, long? ifMatch = null, bool dryRun = false, string? actor = null) =>
        Run<AdapterChange>(dryRun, new AuditInfo(configured ? "adapter.configure" : "adapter.deconfigure", $"adapter/{id}",
            configured ? "true" : "false", actor, s => AuditJson.Adapter(s.Adapter(id))), step =>
        {
            var s = step.Basis;
            if (s.Adapter(id) is not { } adapter)
            {
                return new NotFound("adapter", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            if (ifMatch is { } expected && expected != adapter.Version)
            {
                return new VersionMismatch("adapter", expected, adapter.Version);
            }
            if (adapter.Configured == configured)
            {
                return new AdapterChange(adapter, [.. s.QueuesOf(id).Select(q => q.Apqn)], [], dryRun);
            }
            var (next, rebound) = step.Commit(new StepBuilder(s).SetConfigured(id, configured));
            return new AdapterChange(next.Adapter(id)!, [.. next.QueuesOf(id).Select(q => q.Apqn)], rebound, dryRun);
        });

    // ---------------------------------------------------------------- matrix devices

    public Outcome<MdevChange> CreateMdev(MdevId? id, string? name, long? ifMatch = null, bool dryRun = false, string? actor = null)
    {
        var uuid = id ?? NewUnusedId(Head);
        return Run<MdevChange>(dryRun, new AuditInfo("mdev.create", $"mdev/{uuid}", AuditJson.Serialize(new { uuid = id?.ToString(), name }), actor,
            s => AuditJson.Device(s.Mdev(uuid))), step =>
        {
            var s = step.Basis;
            if (ValidateName(name) is { } bad)
            {
                return bad;
            }
            if (ifMatch is { } expected && expected != s.Version)
            {
                return new VersionMismatch("global", expected, s.Version);
            }
            if (s.Mdev(uuid) is not null)
            {
                return new MdevExists(uuid);
            }
            if (s.MdevArray.Length >= MaxMdevs)
            {
                return new MdevLimitReached(MaxMdevs);
            }
            var (next, _) = step.Commit(new StepBuilder(s).PutDevice(uuid, name, Assignment.Empty, null));
            return new MdevChange(next.Mdev(uuid), dryRun, true);
        });
    }

    public Outcome<MdevChange> DeleteMdev(MdevId id, long? ifMatch = null, bool dryRun = false, string? actor = null) =>
        Run<MdevChange>(dryRun, DeviceAudit("mdev.delete", id, null, actor), step =>
        {
            var s = step.Basis;
            if (Lookup(s, id, ifMatch) is { } refusal)
            {
                return refusal;
            }
            var device = s.Mdev(id)!;
            if (device.Guest is { } guest)
            {
                return new MdevInUse(id, guest);
            }
            step.Commit(new StepBuilder(s).RemoveDevice(id));
            return new MdevChange(null, dryRun, true);
        });

    /// <summary>Assign or unassign one id (SPEC §5), allowed with a guest attached (hot plug).</summary>
    public Outcome<MdevChange> Assign(MdevId id, AssignTarget target, long value, bool assign, long? ifMatch = null, bool dryRun = false, string? actor = null) =>
        Run<MdevChange>(dryRun, DeviceAudit($"mdev.{(assign ? "assign" : "unassign")}-{KindName(target)}", id,
            value.ToString(System.Globalization.CultureInfo.InvariantCulture), actor), step =>
        {
            var s = step.Basis;
            if (Lookup(s, id, ifMatch) is { } refusal)
            {
                return refusal;
            }
            var device = s.Mdev(id)!;
            var max = target == AssignTarget.Adapter ? s.Topology.MaxAdapterId : s.Topology.MaxDomainId;
            if (value < 0 || value > max)
            {
                return new IdOutOfRange(KindName(target), [value], max);
            }
            var n = (int)value;
            var current = device.Assignment;
            var set = target switch
            {
                AssignTarget.Adapter => current.Adapters,
                AssignTarget.Domain => current.Domains,
                _ => current.ControlDomains,
            };
            if (set.Contains(n) == assign)
            {
                return new MdevChange(device, dryRun, false);
            }
            var updated = assign ? set.With(n) : set.Without(n);
            var next = target switch
            {
                AssignTarget.Adapter => current with { Adapters = updated },
                AssignTarget.Domain => current with { Domains = updated },
                _ => current with { ControlDomains = updated },
            };
            if (assign && target != AssignTarget.ControlDomain && CheckAssignment(s, id, next) is { } refused)
            {
                return refused;
            }
            return CommitDevice(step, device with { Assignment = next }, dryRun);
        });

    /// <summary>Replaces the whole assignment in one atomic step (the kernel's <c>ap_config</c>).</summary>
    public Outcome<MdevChange> ReplaceConfig(MdevId id, IReadOnlyCollection<long> adapters, IReadOnlyCollection<long> domains, IReadOnlyCollection<long> controlDomains, long? ifMatch = null, bool dryRun = false, string? actor = null) =>
        Run<MdevChange>(dryRun, DeviceAudit("mdev.config", id, AuditJson.Serialize(new { adapters, domains, controlDomains }), actor), step =>
        {
            var s = step.Basis;
            if (Lookup(s, id, ifMatch) is { } refusal)
            {
                return refusal;
            }
            var device = s.Mdev(id)!;
            List<IdOutOfRange> outOfRange = [];
            AddOutOfRange(outOfRange, "adapter", adapters, s.Topology.MaxAdapterId);
            AddOutOfRange(outOfRange, "domain", domains, s.Topology.MaxDomainId);
            AddOutOfRange(outOfRange, "control-domain", controlDomains, s.Topology.MaxDomainId);
            if (outOfRange.Count > 0)
            {
                return outOfRange[0] with { More = outOfRange[1..] };
            }
            var next = new Assignment(
                ApMask.Of(adapters.Select(a => (int)a)),
                ApMask.Of(domains.Select(d => (int)d)),
                ApMask.Of(controlDomains.Select(d => (int)d)));
            if (next == device.Assignment)
            {
                return new MdevChange(device, dryRun, false);
            }
            if (CheckAssignment(s, id, next) is { } refused)
            {
                return refused;
            }
            return CommitDevice(step, device with { Assignment = next }, dryRun);
        });

    private static void AddOutOfRange(List<IdOutOfRange> refusals, string kind, IReadOnlyCollection<long> ids, int max)
    {
        var bad = ids.Where(id => id < 0 || id > max).Distinct().Order().ToList();
        if (bad.Count > 0)
        {
            refusals.Add(new IdOutOfRange(kind, bad, max));
        }
    }

    /// <summary>Attaches a guest (SPEC §6): one guest per device, one device per guest.</summary>
    public Outcome<MdevChange> AttachGuest(MdevId id, string guest, long? ifMatch = null, bool dryRun = false, string? actor = null) =>
        Run<MdevChange>(dryRun, DeviceAudit("mdev.attach-guest", id, guest, actor), step =>
        {
            var s = step.Basis;
            if (ValidateGuestName(guest) is { } bad)
            {
                return bad;
            }
            if (Lookup(s, id, ifMatch) is { } refusal)
            {
                return refusal;
            }
            var device = s.Mdev(id)!;
            if (device.Guest == guest)
            {
                return new MdevChange(device, dryRun, false);
            }
            if (device.Guest is { } other)
            {
                return new MdevInUse(id, other);
            }
            if (s.Guests.TryGetValue(guest, out var holder))
            {
                return new GuestHasMdev(guest, holder);
            }
            return CommitDevice(step, device with { Guest = guest }, dryRun);
        });

    public Outcome<MdevChange> DetachGuest(MdevId id, long? ifMatch = null, bool dryRun = false, string? actor = null) =>
        Run<MdevChange>(dryRun, DeviceAudit("mdev.detach-guest", id, null, actor), step =>
        {
            var s = step.Basis;
            if (Lookup(s, id, ifMatch) is { } refusal)
            {
                return refusal;
            }
            var device = s.Mdev(id)!;
            return device.Guest is null ? new MdevChange(device, dryRun, false) : CommitDevice(step, device with { Guest = null }, dryRun);
        });

    // ---------------------------------------------------------------- attempts refused before the rules

    /// <summary>
    /// Records a mutation attempt that was refused before it reached the rules (malformed body,
    /// bad path value, missing credential, rate limit), so the audit trail holds every attempt.
    /// It produces no event: nothing was decided about the bus.
    /// </summary>
    public Task RecordRejected(string action, string target, string? input, string? actor, string refusal)
    {
        var version = Current.Version;
        var durable = Journal.Append(new JournalEntry(
            new AuditRecord(0, Time.GetUtcNow(), actor ?? "anonymous", action, target, input, false, refusal, false, version, version, null, null, null, []),
            null));
        Journal.Flush();
        return durable;
    }

    // ---------------------------------------------------------------- import

    /// <summary>
    /// Applies a whole configuration in one step, all or nothing (SPEC §8): masks must parse,
    /// every device must meet the range, owned-by-host (under the imported masks), no-sharing and
    /// guest rules. Refusals list every offender across all devices.
    /// </summary>
    public Outcome<ImportResult> Import(ImportPlan plan, long? ifMatch = null, bool dryRun = false, string? actor = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return Run<ImportResult>(dryRun, new AuditInfo("import", "configuration",
            AuditJson.Serialize(new { apmask = plan.Apmask.Text, aqmask = plan.Aqmask.Text, devices = plan.Devices.Count, guests = plan.Guests.Count }),
            actor, s => new { apmask = s.Bus.Apmask.ToString(), aqmask = s.Bus.Aqmask.ToString(), mdevs = s.Mdevs.Count, guests = s.Guests.Count, version = s.Version }), step =>
        {
            var s = step.Basis;
            var apm = MaskParser.Parse(plan.Apmask.Bytes, s.Bus.Apmask);
            if (!apm.Success)
            {
                return new InvalidMask("apmask", plan.Apmask.Text, apm.Errno, apm.Position);
            }
            var aqm = MaskParser.Parse(plan.Aqmask.Bytes, s.Bus.Aqmask);
            if (!aqm.Success)
            {
                return new InvalidMask("aqmask", plan.Aqmask.Text, aqm.Errno, aqm.Position);
            }
            // The same name rule as a create (SPEC §5): an import must not smuggle in what POST refuses.
            foreach (var device in plan.Devices)
            {
                if (ValidateName(device.Name) is { } badName)
                {
                    return badName;
                }
            }
            if (ifMatch is { } expected && expected != s.Version)
            {
                return new VersionMismatch("global", expected, s.Version);
            }
            foreach (var id in plan.Configured.Keys)
            {
                if (s.Adapter(id) is null)
                {
                    return new NotFound("adapter", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            var badAdapters = plan.Devices.SelectMany(d => d.Adapters).Where(a => a < 0 || a > s.Topology.MaxAdapterId).Distinct().Order().ToList();
            if (badAdapters.Count > 0)
            {
                return new IdOutOfRange("adapter", badAdapters, s.Topology.MaxAdapterId);
            }
            var badDomains = plan.Devices.SelectMany(d => d.Domains.Concat(d.ControlDomains)).Where(d => d < 0 || d > s.Topology.MaxDomainId).Distinct().Order().ToList();
            if (badDomains.Count > 0)
            {
                return new IdOutOfRange("domain", badDomains, s.Topology.MaxDomainId);
            }
            if (plan.Devices.Count > MaxMdevs)
            {
                return new MdevLimitReached(MaxMdevs);
            }
            var devices = plan.Devices
                .Select(d => (d.Id, d.Name, Assignment: new Assignment(
                    ApMask.Of(d.Adapters.Select(a => (int)a)), ApMask.Of(d.Domains.Select(x => (int)x)), ApMask.Of(d.ControlDomains.Select(x => (int)x)))))
                .ToList();
            if (devices.Select(d => d.Id).Distinct().Count() != devices.Count)
            {
                var dup = devices.GroupBy(d => d.Id).First(g => g.Count() > 1).Key;
                return new MdevExists(dup);
            }
            var owned = new List<Offender>();
            foreach (var d in devices)
            {
                Offender.AddRectangle(owned, d.Assignment.Adapters & apm.Mask, d.Assignment.Domains & aqm.Mask, WellKnownDrivers.Cex4Queue, d.Id, null);
            }
            if (owned.Count > 0)
            {
                return new ApqnOwnedByHost(owned[0].Mdev!.Value, Offender.Normalize(owned));
            }
            var guestOf = new Dictionary<MdevId, string>();
            foreach (var (guest, id) in plan.Guests)
            {
                if (ValidateGuestName(guest) is { } bad)
                {
                    return bad;
                }
                if (!devices.Any(d => d.Id == id))
                {
                    return new InvalidInput("guests", $"Guest '{guest}' is attached to matrix device {id}, which the import does not contain.");
                }
                if (guestOf.TryGetValue(id, out var other))
                {
                    return new MdevInUse(id, other);
                }
                guestOf[id] = guest;
            }
            var conflicts = new List<Offender>();
            for (var i = 0; i < devices.Count; i++)
            {
                for (var j = 0; j < devices.Count; j++)
                {
                    if (i == j)
                    {
                        continue;
                    }
                    Offender.AddRectangle(conflicts, devices[i].Assignment.Adapters & devices[j].Assignment.Adapters,
                        devices[i].Assignment.Domains & devices[j].Assignment.Domains, WellKnownDrivers.VfioAp, devices[j].Id, guestOf.GetValueOrDefault(devices[j].Id));
                }
            }
            if (conflicts.Count > 0)
            {
                return new ApqnConflict(devices.First(d => conflicts.Any(c => c.Mdev != d.Id && d.Assignment.Contains(c.Apqn))).Id, Offender.Normalize(conflicts));
            }
            var builder = new StepBuilder(s).SetMasks(apm.Mask, aqm.Mask);
            foreach (var (id, configured) in plan.Configured)
            {
                builder.SetConfigured(id, configured);
            }
            builder.ReplaceAllDevices(devices.Select(d => (d.Id, d.Name, d.Assignment, guestOf.GetValueOrDefault(d.Id))));
            var unchanged = s.Bus.Apmask == apm.Mask && s.Bus.Aqmask == aqm.Mask
                && plan.Configured.All(c => s.Adapter(c.Key)!.Configured == c.Value)
                && devices.Count == s.Mdevs.Count
                && devices.All(d => s.Mdev(d.Id) is { } m && m.Name == d.Name && m.Assignment == d.Assignment && m.Guest == guestOf.GetValueOrDefault(d.Id));
            if (unchanged)
            {
                return new ImportResult(s, [], dryRun, false);
            }
            var (next, rebound) = step.Commit(builder);
            return new ImportResult(next, rebound, dryRun, true);
        });
    }

    // ---------------------------------------------------------------- rules shared by the calls

    /// <summary>SPEC §5 checks 3 and 4 for a device's would-be assignment, every offender listed.</summary>
    internal static Refusal? CheckAssignment(ApSnapshot s, MdevId id, Assignment next)
    {
        var ownedA = next.Adapters & s.Bus.Apmask;
        var ownedD = next.Domains & s.Bus.Aqmask;
        if (!ownedA.IsEmpty && !ownedD.IsEmpty)
        {
            var owned = new List<Offender>(ownedA.Count * ownedD.Count);
            Offender.AddRectangle(owned, ownedA, ownedD, WellKnownDrivers.Cex4Queue, null, null);
            return new ApqnOwnedByHost(id, owned);
        }
        List<Offender>? conflicts = null;
        foreach (var other in s.MdevArray)
        {
            if (other.Id == id)
            {
                continue;
            }
            var a = other.Adapters & next.Adapters;
            if (a.IsEmpty)
            {
                continue;
            }
            var d = other.Domains & next.Domains;
            if (d.IsEmpty)
            {
                continue;
            }
            conflicts ??= [];
            Offender.AddRectangle(conflicts, a, d, WellKnownDrivers.VfioAp, other.Id, other.Guest);
        }
        return conflicts is null ? null : new ApqnConflict(id, Offender.Normalize(conflicts));
    }

    private static Refusal? Lookup(ApSnapshot s, MdevId id, long? ifMatch)
    {
        if (s.Mdev(id) is not { } device)
        {
            return new NotFound("mdev", id.ToString());
        }
        if (ifMatch is { } expected && expected != device.Version)
        {
            return new VersionMismatch("mdev", expected, device.Version);
        }
        return null;
    }

    private static MdevChange CommitDevice(Step step, MatrixDevice device, bool dryRun)
    {
        var (next, _) = step.Commit(new StepBuilder(step.Basis).PutDevice(device.Id, device.Name, device.Assignment, device.Guest));
        return new MdevChange(next.Mdev(device.Id), dryRun, true);
    }

    public static string KindName(AssignTarget target) => target switch
    {
        AssignTarget.Adapter => "adapter",
        AssignTarget.Domain => "domain",
        _ => "control-domain",
    };

    public static InvalidInput? ValidateName(string? name)
    {
        if (name is null)
        {
            return null;
        }
        if (name.Length > MaxNameLength)
        {
            return new InvalidInput("name", $"A matrix device name has at most {MaxNameLength} characters.");
        }
        return name.Any(char.IsControl) ? new InvalidInput("name", "A matrix device name must not contain control characters.") : null;
    }

    public static InvalidInput? ValidateGuestName(string? guest)
    {
        if (string.IsNullOrEmpty(guest) || guest.Length > MaxNameLength || !char.IsAsciiLetterOrDigit(guest[0]) ||
            !guest.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            return new InvalidInput("name", "A guest name has 1 to 64 characters of A-Z a-z 0-9 . _ - and starts with a letter or digit.");
        }
        return null;
    }

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

    // ---------------------------------------------------------------- the writer

    private static AuditInfo DeviceAudit(string action, MdevId id, string? input, string? actor) =>
        new(action, $"mdev/{id}", input, actor, s => AuditJson.Device(s.Mdev(id)));

    /// <summary>What the audit trail records about a call: its name, target, input and how to show the target.</summary>
    private readonly record struct AuditInfo(string Action, string Target, string? Input, string? Actor, Func<ApSnapshot, object?> View);

    /// <summary>One attempt: the snapshot it reads and, once it commits, the snapshot it produces.</summary>
    private sealed class Step(ApSnapshot basis)
    {
        public ApSnapshot Basis { get; } = basis;

        public ApSnapshot? Next { get; private set; }

        public IReadOnlyList<Rebound> Rebound { get; private set; } = [];

        public (ApSnapshot Next, IReadOnlyList<Rebound> Rebound) Commit(StepBuilder builder)
        {
            var (next, rebound) = builder.Build();
            (Next, Rebound) = (next, rebound);
            return (next, rebound);
        }
    }

    /// <summary>
    /// Runs one attempt. A dry run is judged against the published snapshot without the lock. A
    /// real one is judged (rules, in_use, audit JSON) against the head without the lock too; the
    /// writer lock is taken only to check that the head is still the one it was judged against,
    /// make the step the new head and queue its journal entry, so the audit trail stays in
    /// lockstep with the versions. When another step got in first, the attempt is judged again
    /// under the lock against the new head. Readers see a committed step once it is durable.
    /// </summary>
    private Outcome<T> Run<T>(bool dryRun, AuditInfo audit, Func<Step, Outcome<T>> body) where T : class
    {
        if (t_evaluating == this)
        {
            // An in_use callback (or anything else running inside a step) must never call the writer.
            throw new InvalidOperationException("A mutation was started from inside another mutation (an in_use callback must not call the writer).");
        }
        Outcome<T> outcome;
        if (dryRun)
        {
            var (preview, previewed) = Evaluate(Current, body);
            outcome = previewed.WithDurable(Journal.Append(new JournalEntry(Record(audit, preview, previewed.Refusal, true), null)));
        }
        else
        {
            // Bodies read the driver registry too (in_use, binding drivers): a registry change
            // between judging and committing also calls for judging again.
            var epoch = Volatile.Read(ref _registryEpoch);
            var basis = Volatile.Read(ref _head);
            var (step, judged) = Evaluate(basis, body);
            var record = Record(audit, step, judged.Refusal, false);
            lock (_writer)
            {
                if (!ReferenceEquals(_head, basis) || epoch != _registryEpoch)
                {
                    (step, judged) = Evaluate(_head, body);
                    record = Record(audit, step, judged.Refusal, false);
                }
                if (step.Next is { } next)
                {
                    Volatile.Write(ref _head, next);
                }
                outcome = judged.WithDurable(Journal.Append(new JournalEntry(record, step.Next)));
            }
        }
        // Outside the lock: the commit (fsync) never holds up the next writer building on the head.
        Journal.Flush();
        return outcome;
    }

    /// <summary>The system whose step body runs on this thread (in_use callbacks included), if any.</summary>
    [ThreadStatic]
    private static ApSystem? t_evaluating;

    private (Step Step, Outcome<T> Outcome) Evaluate<T>(ApSnapshot basis, Func<Step, Outcome<T>> body) where T : class
    {
        var step = new Step(basis);
        var outer = t_evaluating;
        t_evaluating = this;
        try
        {
            return (step, body(step));
        }
        finally
        {
            t_evaluating = outer;
        }
    }

    private AuditRecord Record(AuditInfo audit, Step step, Refusal? refusal, bool dryRun)
    {
        var before = step.Basis;
        var after = step.Next;
        string? details = null;
        List<string> events = [];
        if (refusal is not null)
        {
            details = AuditJson.Refusal(refusal);
            if (!dryRun)
            {
                events.Add(EventTypes.ChangeRefused);
            }
        }
        else if (after is not null)
        {
            var diff = SnapshotDiff.Between(before, after);
            details = AuditJson.Changes(after, diff, step.Rebound);
            if (!dryRun)
            {
                if (diff.BusChanged)
                {
                    events.Add(EventTypes.BusChanged);
                }
                if (diff.ChangedAdapters.Count > 0)
                {
                    events.Add(EventTypes.AdapterChanged);
                }
                if (step.Rebound.Count > 0)
                {
                    events.Add(EventTypes.QueuesRebound);
                }
                if (diff.ChangedDevices.Any(c => c.Before is null || c.After is null || c.Before.Assignment != c.After.Assignment || c.Before.Guest != c.After.Guest || c.Before.Name != c.After.Name))
                {
                    events.Add(EventTypes.MdevChanged);
                }
                if (diff.ChangedDevices.Any(c => GuestMatrix.Visible(c.Before?.Shadow) != GuestMatrix.Visible(c.After?.Shadow)))
                {
                    events.Add(EventTypes.GuestMatrixChanged);
                }
            }
        }
        return new AuditRecord(
            0,
            Time.GetUtcNow(),
            audit.Actor ?? "anonymous",
            audit.Action,
            audit.Target,
            audit.Input,
            refusal is null,
            refusal is null ? null : RefusalCodes.Of(refusal),
            dryRun,
            before.Version,
            // A dry run commits nothing: the version after is the one before (its 'after' shows the preview).
            dryRun ? before.Version : after?.Version ?? before.Version,
            AuditJson.Serialize(audit.View(before)),
            refusal is null ? AuditJson.Serialize(audit.View(after ?? before)) : null,
            details,
            events);
    }
}
