using System.Collections.Immutable;
using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.State;

/// <summary>
/// The AP bus with its permissions store, driver registry and vfio_ap matrix devices.
/// One writer at a time (the kernel's <c>ap_perms_mutex</c>): every mutation builds the next
/// immutable snapshot under <see cref="_writer"/> and publishes it with one reference swap.
/// Readers take <see cref="Current"/> and never lock. Dry runs evaluate against the current
/// snapshot without the lock and publish nothing.
/// </summary>
public sealed class ApSystem
{
    public const int DefaultMaxMdevs = 65536;
    public const int MaxNameLength = 64;

    private readonly Lock _writer = new();
    private ApSnapshot _current;

    public ApSystem(IApHost host, int maxMdevs = DefaultMaxMdevs)
    {
        ArgumentNullException.ThrowIfNull(host);
        Host = host;
        MaxMdevs = maxMdevs;
        Drivers.Register(WellKnownDrivers.Cex4QueueDriver);
        Drivers.Register(WellKnownDrivers.VfioApDriver);
        var topology = host.Topology;
        var adapters = new AdapterState?[256];
        foreach (var a in topology.Adapters)
        {
            adapters[a.Id] = new AdapterState(a.Id, a.Type, a.Configured, 0);
        }
        var empty = new ApSnapshot(0, topology, new BusState(ApMask.Empty, ApMask.Empty, 0), adapters, true, true, [], ImmutableDictionary<string, MdevId>.Empty, new QueueState?[]?[256]);
        var init = host.InitialState;
        var (first, _) = new StepBuilder(empty)
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
        _current = first;
    }

    public IApHost Host { get; }

    public DriverRegistry Drivers { get; } = new();

    public int MaxMdevs { get; }

    /// <summary>The latest committed snapshot.</summary>
    public ApSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised under the writer lock after each committed step, in order.</summary>
    public event Action<ApSnapshot, ApSnapshot>? Committed;

    // ---------------------------------------------------------------- bus masks

    /// <summary>
    /// One atomic change of apmask and/or aqmask (SPEC §2, §4): parse, If-Match, no-op check,
    /// in_use over exactly the APQNs that become default-owned, commit and rebind.
    /// </summary>
    public Outcome<BusChange> ChangeMasks(MaskInput? apmask, MaskInput? aqmask, long? ifMatch = null, bool dryRun = false) =>
        Run<BusChange>(dryRun, s =>
        {
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
            var (next, rebound) = Commit(new StepBuilder(s).SetMasks(newApm, newAqm), dryRun);
            return new BusChange(next.Bus, rebound, dryRun);
        });

    // ---------------------------------------------------------------- drivers

    /// <summary>Registers a driver; a binding driver re-applies the binding rule in one step.</summary>
    public void RegisterDriver(DriverDefinition driver)
    {
        lock (_writer)
        {
            Drivers.Register(driver);
            Rebind();
        }
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
            Rebind();
        }
        return true;
    }

    private void Rebind()
    {
        var s = Current;
        var cex = Drivers.IsRegistered(WellKnownDrivers.Cex4Queue);
        var vfio = Drivers.IsRegistered(WellKnownDrivers.VfioAp);
        if (cex != s.Cex4QueueBinds || vfio != s.VfioApBinds)
        {
            Commit(new StepBuilder(s).SetBindingDrivers(cex, vfio), dryRun: false);
        }
    }

    // ---------------------------------------------------------------- adapters

    /// <summary>Simulates a hardware configure/deconfigure: queues appear or vanish, guest matrices follow.</summary>
    public Outcome<AdapterChange> SetAdapterConfigured(int id, bool configured, long? ifMatch = null, bool dryRun = false) =>
        Run<AdapterChange>(dryRun, s =>
        {
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
                return new AdapterChange(adapter, [], dryRun);
            }
            var (next, rebound) = Commit(new StepBuilder(s).SetConfigured(id, configured), dryRun);
            return new AdapterChange(next.Adapter(id)!, rebound, dryRun);
        });

    // ---------------------------------------------------------------- matrix devices

    public Outcome<MdevChange> CreateMdev(MdevId? id, string? name, long? ifMatch = null, bool dryRun = false)
    {
        if (ValidateName(name) is { } bad)
        {
            return bad;
        }
        return Run<MdevChange>(dryRun, s =>
        {
            if (ifMatch is { } expected && expected != s.Version)
            {
                return new VersionMismatch("global", expected, s.Version);
            }
            var uuid = id ?? NewUnusedId(s);
            if (s.Mdev(uuid) is not null)
            {
                return new MdevExists(uuid);
            }
            if (s.MdevArray.Length >= MaxMdevs)
            {
                return new MdevLimitReached(MaxMdevs);
            }
            var (next, _) = Commit(new StepBuilder(s).PutDevice(uuid, name, Assignment.Empty, null), dryRun);
            return new MdevChange(next.Mdev(uuid), dryRun, true);
        });
    }

    public Outcome<MdevChange> DeleteMdev(MdevId id, long? ifMatch = null, bool dryRun = false) =>
        Run<MdevChange>(dryRun, s =>
        {
            if (Lookup(s, id, ifMatch) is { } refusal)
            {
                return refusal;
            }
            var device = s.Mdev(id)!;
            if (device.Guest is { } guest)
            {
                return new MdevInUse(id, guest);
            }
            Commit(new StepBuilder(s).RemoveDevice(id), dryRun);
            return new MdevChange(null, dryRun, true);
        });

    /// <summary>Assign or unassign one id (SPEC §5), allowed with a guest attached (hot plug).</summary>
    public Outcome<MdevChange> Assign(MdevId id, AssignTarget target, long value, bool assign, long? ifMatch = null, bool dryRun = false) =>
        Run<MdevChange>(dryRun, s =>
        {
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
            return CommitDevice(s, device with { Assignment = next }, dryRun);
        });

    /// <summary>Replaces the whole assignment in one atomic step (the kernel's <c>ap_config</c>).</summary>
    public Outcome<MdevChange> ReplaceConfig(MdevId id, IReadOnlyCollection<long> adapters, IReadOnlyCollection<long> domains, IReadOnlyCollection<long> controlDomains, long? ifMatch = null, bool dryRun = false) =>
        Run<MdevChange>(dryRun, s =>
        {
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
            return CommitDevice(s, device with { Assignment = next }, dryRun);
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
    public Outcome<MdevChange> AttachGuest(MdevId id, string guest, long? ifMatch = null, bool dryRun = false)
    {
        if (ValidateGuestName(guest) is { } bad)
        {
            return bad;
        }
        return Run<MdevChange>(dryRun, s =>
        {
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
            return CommitDevice(s, device with { Guest = guest }, dryRun);
        });
    }

    public Outcome<MdevChange> DetachGuest(MdevId id, long? ifMatch = null, bool dryRun = false) =>
        Run<MdevChange>(dryRun, s =>
        {
            if (Lookup(s, id, ifMatch) is { } refusal)
            {
                return refusal;
            }
            var device = s.Mdev(id)!;
            return device.Guest is null ? new MdevChange(device, dryRun, false) : CommitDevice(s, device with { Guest = null }, dryRun);
        });

    // ---------------------------------------------------------------- rules shared by the calls

    /// <summary>SPEC §5 checks 3 and 4 for a device's would-be assignment, every offender listed.</summary>
    internal static Refusal? CheckAssignment(ApSnapshot s, MdevId id, Assignment next)
    {
        var ownedA = next.Adapters & s.Bus.Apmask;
        var ownedD = next.Domains & s.Bus.Aqmask;
        if (!ownedA.IsEmpty && !ownedD.IsEmpty)
        {
            var owned = new List<Offender>(ownedA.Count * ownedD.Count);
            foreach (var a in ownedA)
            {
                foreach (var d in ownedD)
                {
                    owned.Add(new Offender(new Apqn((byte)a, (byte)d), WellKnownDrivers.Cex4Queue, null, null));
                }
            }
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
            foreach (var adapter in a)
            {
                foreach (var domain in d)
                {
                    conflicts.Add(new Offender(new Apqn((byte)adapter, (byte)domain), WellKnownDrivers.VfioAp, other.Id, other.Guest));
                }
            }
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

    private MdevChange CommitDevice(ApSnapshot s, MatrixDevice device, bool dryRun)
    {
        var (next, _) = Commit(new StepBuilder(s).PutDevice(device.Id, device.Name, device.Assignment, device.Guest), dryRun);
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

    private Outcome<T> Run<T>(bool dryRun, Func<ApSnapshot, Outcome<T>> step) where T : class
    {
        if (dryRun)
        {
            return step(Current);
        }
        lock (_writer)
        {
            return step(Current);
        }
    }

    /// <summary>Builds the next snapshot; publishes it unless this is a dry run. Call under the writer lock.</summary>
    private (ApSnapshot Next, IReadOnlyList<Rebound> Rebound) Commit(StepBuilder builder, bool dryRun)
    {
        var (next, rebound) = builder.Build();
        if (!dryRun)
        {
            var previous = _current;
            Volatile.Write(ref _current, next);
            Committed?.Invoke(previous, next);
        }
        return (next, rebound);
    }
}
