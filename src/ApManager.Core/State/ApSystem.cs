using ApManager.Core.Audit;
using ApManager.Core.Drivers;
using ApManager.Core.Host.Simulated;
using ApManager.Core.Host;
using ApManager.Core.Journal;
using ApManager.Core.Matrix;

namespace ApManager.Core.State;

/// <summary>
/// ApManager's model of one host's AP bus: the permissions store, the driver registry and the
/// vfio_ap matrix devices. Its commands judge a change with the rules (listing every offender),
/// write it to the host, read back what the host made of it and commit that as the next
/// snapshot (see <see cref="StepRunner"/>). Readers take <see cref="Current"/> and never lock.
/// </summary>
public sealed partial class ApSystem
{
    public const int DefaultMaxMdevs = 65536;

    private readonly StepRunner _runner;

    /// <summary>A simulated host with <paramref name="topology"/> seeded with <paramref name="seed"/>, in memory (tests, benchmarks).</summary>
    public static ApSystem InMemory(HostTopology topology, InitialState seed, int maxMdevs = DefaultMaxMdevs) =>
        new(new SimulatedHost(topology, maxMdevs), new InMemoryJournal(), null, seed, maxMdevs, TimeProvider.System);

    /// <summary>
    /// A system over a host and a journal. A simulated host boots from what the store kept
    /// (<paramref name="restored"/>) or, for a new store, from <paramref name="seed"/>; the first
    /// state is then handed to the journal once.
    /// </summary>
    public ApSystem(IApHost host, IStateJournal journal, PersistedState? restored, InitialState? seed, int maxMdevs, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(time);
        Host = host;
        Journal = journal;
        MaxMdevs = maxMdevs;
        Time = time;
        Drivers.Register(WellKnownDrivers.Cex4QueueDriver);
        Drivers.Register(WellKnownDrivers.VfioApDriver);
        if (host is IBootableHost bootable && (restored?.ToInitialState() ?? seed) is { } boot)
        {
            bootable.Boot(boot);
        }
        var state = host.Read();
        var first = restored switch
        {
            null => SnapshotBuilder.Initial(state, (seed?.Devices ?? []).ToDictionary(d => d.Id, d => d.Name)),
            // The simulated host was booted from what the store kept: the same state, the same versions.
            _ when host is IBootableHost => SnapshotBuilder.Restore(state, restored),
            // A real host may have changed while ApManager was not running: its state is read anew
            // and every resource takes the next version, so no stale ETag matches what is there now.
            _ => SnapshotBuilder.Initial(state, restored.Devices.ToDictionary(d => d.Id, d => d.Name), restored.GlobalVersion + 1),
        };
        var recorder = new AuditRecorder(time);
        _runner = new StepRunner(host, journal, recorder, first);
        RejectedAttempts = new RejectedAttempts(journal, recorder, () => Current.Version);
        journal.Attach(_runner);
        if (restored is not null && first.Version != restored.GlobalVersion)
        {
            journal.Append(new JournalEntry(recorder.HostReadAtStart(restored.GlobalVersion, first), null));
            journal.Flush();
        }
    }

    /// <summary>Reads the host and commits what others changed (the poll calls this; every change does it first).</summary>
    public void Refresh(bool full = true) => _runner.Refresh(full);

    public IApHost Host { get; }

    public DriverRegistry Drivers { get; } = new();

    public int MaxMdevs { get; }

    public IStateJournal Journal { get; }

    public TimeProvider Time { get; }

    /// <summary>Where attempts refused before the rules go into the audit trail.</summary>
    public RejectedAttempts RejectedAttempts { get; }

    /// <summary>The latest durable snapshot: what readers see.</summary>
    public ApSnapshot Current => _runner.Current;

    /// <summary>The snapshot the next step builds on (ahead of <see cref="Current"/> while a commit is in flight).</summary>
    internal ApSnapshot Head => _runner.Head;

    /// <summary>Raised when a step becomes visible to readers (durable), in version order.</summary>
    public event Action<ApSnapshot, ApSnapshot>? Committed
    {
        add => _runner.Committed += value;
        remove => _runner.Committed -= value;
    }

    /// <summary>Registers a driver; a binding driver re-applies the binding rule in one step.</summary>
    public void RegisterDriver(DriverDefinition driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        _runner.ChangeRegistry(() => Drivers.Register(driver));
        if (Host.Kind == HostKind.Simulated)
        {
            SyncBindingDrivers("driver.register", driver.Name);
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
        _runner.ChangeRegistry(() => { });
        if (Host.Kind == HostKind.Simulated)
        {
            SyncBindingDrivers("driver.unregister", name);
        }
        return true;
    }

    /// <summary>Loads or unloads the host's binding drivers to match the registry, as one audited step when it changes anything.</summary>
    private void SyncBindingDrivers(string action, string driver)
    {
        var outcome = _runner.Run<BusChange>(new WriteOptions(Actor: "system"), new AuditInfo(action, $"driver/{driver}", driver, AuditJson.Bus), s =>
        {
            var cex = Drivers.IsRegistered(WellKnownDrivers.Cex4Queue);
            var vfio = Drivers.Registered.FirstOrDefault(d => d.Name == WellKnownDrivers.VfioAp);
            var inUse = vfio?.InUse is not null;
            if (cex == s.Cex4QueueBinds && (vfio is not null) == s.VfioApBinds && (vfio is null || inUse == s.Host.VfioApInUse))
            {
                return new BusChange(s.Bus, [], false);
            }
            return new Writing<BusChange>(new SetBindingDrivers(cex, vfio is not null, vfio is null || inUse), (next, rebound) => new BusChange(next.Bus, rebound, false));
        });
        outcome.Durable.GetAwaiter().GetResult();
    }
}
