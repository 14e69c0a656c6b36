using ApManager.Core.Audit;
using ApManager.Core.Host.Simulated;
using ApManager.Core.Host;
using ApManager.Core.Journal;
using ApManager.Core.Refusals;

namespace ApManager.Core.State;

/// <summary>
/// Runs one attempt at a time through judge → write to the host → read back → commit, with one
/// writer at a time (the kernel's <c>ap_perms_mutex</c>). An attempt is judged against the head
/// without the lock; the lock covers checking that the head (and the driver registry) is still
/// what it was judged against, the host write, the read back and queueing the journal entry, so
/// the audit trail stays in lockstep with the versions. Readers see a step once it is durable.
/// A dry run is judged against the published snapshot and previewed with the kernel's rules; it
/// never writes to the host.
/// </summary>
internal sealed class StepRunner : ICommitSink
{
    private readonly Lock _writer = new();
    private readonly IApHost _host;
    private readonly IStateJournal _journal;
    private readonly AuditRecorder _recorder;
    private ApSnapshot _current;
    private ApSnapshot _head;
    // Bumped (under _writer) whenever a driver is registered or unregistered: judges read the registry.
    private int _registryEpoch;

    /// <summary>The runner whose judge runs on this thread (in_use callbacks included), if any.</summary>
    [ThreadStatic]
    private static StepRunner? t_judging;

    public StepRunner(IApHost host, IStateJournal journal, AuditRecorder recorder, ApSnapshot first)
    {
        _host = host;
        _journal = journal;
        _recorder = recorder;
        _current = first;
        _head = first;
    }

    /// <summary>The latest durable snapshot: what readers see.</summary>
    public ApSnapshot Current => Volatile.Read(ref _current);

    /// <summary>The snapshot the next step builds on (ahead of <see cref="Current"/> while a commit is in flight).</summary>
    public ApSnapshot Head => Volatile.Read(ref _head);

    /// <summary>Raised when a step becomes visible to readers (durable), in version order.</summary>
    public event Action<ApSnapshot, ApSnapshot>? Committed;

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

    public void Rollback(Action failPending)
    {
        ArgumentNullException.ThrowIfNull(failPending);
        lock (_writer)
        {
            failPending();
            var durable = Current;
            Volatile.Write(ref _head, durable);
            // The simulated kernel forgets the steps its store could not keep; a real kernel cannot,
            // and its next read shows the change as made by the host.
            if (_host is IBootableHost bootable)
            {
                bootable.Reset(durable.Host);
            }
        }
    }

    /// <summary>Changes the driver registry under the writer lock, so judging notices it.</summary>
    public void ChangeRegistry(Action change)
    {
        lock (_writer)
        {
            change();
            _registryEpoch++;
        }
    }

    /// <summary>Runs one attempt; the outcome's task completes once its audit record (and step) is durable.</summary>
    public Outcome<T> Run<T>(WriteOptions options, AuditInfo audit, Func<ApSnapshot, Verdict<T>> judge) where T : class
    {
        if (t_judging == this)
        {
            // An in_use callback (or anything else running inside a judge) must never call the writer.
            throw new InvalidOperationException("A mutation was started from inside another mutation (an in_use callback must not call the writer).");
        }
        Outcome<T> outcome;
        Task durable;
        if (options.DryRun)
        {
            var basis = Current;
            var (answer, next, delta) = _host.Unavailable is { } why
                ? (new HostUnavailable(why), null, StepDelta.None)
                : Preview(basis, Judge(basis, judge));
            outcome = answer;
            durable = _journal.Append(new JournalEntry(_recorder.Record(audit, options.Actor, basis, next, answer.Refusal, delta, true), null));
        }
        else
        {
            var epoch = Volatile.Read(ref _registryEpoch);
            var basis = Volatile.Read(ref _head);
            var verdict = Judge(basis, judge);
            lock (_writer)
            {
                (outcome, durable) = WriteLocked(options, audit, judge, basis, verdict, epoch);
            }
        }
        // Outside the lock: the commit (fsync) never holds up the next writer building on the head.
        _journal.Flush();
        return outcome.WithDurable(durable);
    }

    /// <summary>
    /// Under the writer lock: the host's lock, what others changed read first (the kernel is the
    /// authority), the verdict judged again if the basis moved, the write, and the audit record.
    /// </summary>
    private (Outcome<T> Outcome, Task Durable) WriteLocked<T>(WriteOptions options, AuditInfo audit, Func<ApSnapshot, Verdict<T>> judge, ApSnapshot basis, Verdict<T> verdict, long epoch) where T : class
    {
        // Input that does not parse is answered at once; anything that depends on the host's state waits for its lock.
        var needsLock = verdict is not Refused<T> { Refusal: InvalidMask or InvalidInput };
        using var lease = needsLock ? _host.Lock(LockTimeout) : null;
        if (needsLock && lease is null)
        {
            // Another tool is changing the host: nothing is written, the attempt is refused.
            return Unwritten<T>(options, audit, new HostBusy(_host.LockName ?? "the host's lock", LockTimeout));
        }
        if (needsLock)
        {
            RefreshLocked();
            if (_host.Unavailable is { } why)
            {
                // Nothing can be judged against a host that cannot be read: nothing is written.
                return Unwritten<T>(options, audit, new HostUnavailable(why));
            }
        }
        if (!ReferenceEquals(_head, basis) || epoch != _registryEpoch)
        {
            basis = _head;
            verdict = Judge(basis, judge);
        }
        var (answer, next, delta) = Commit(basis, verdict);
        if (answer.Refusal is HostRefused && _host.Kind == HostKind.Sysfs)
        {
            // The kernel refused what the model accepted: read what changed, judge again for the offenders.
            RefreshLocked();
            basis = _head;
            if (Judge(basis, judge) is Refused<T> again)
            {
                answer = again.Refusal;
            }
        }
        if (next is not null)
        {
            Volatile.Write(ref _head, next);
        }
        return (answer, _journal.Append(new JournalEntry(_recorder.Record(audit, options.Actor, basis, next, answer.Refusal, delta, false), next)));
    }

    /// <summary>A refusal before anything was judged or written: recorded against the head as it is.</summary>
    private (Outcome<T>, Task) Unwritten<T>(WriteOptions options, AuditInfo audit, Refusal refusal) where T : class =>
        (refusal, _journal.Append(new JournalEntry(_recorder.Record(audit, options.Actor, _head, null, refusal, StepDelta.None, false), null)));

    /// <summary>How long a change waits for the host's configuration lock (SPEC §11.4).</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(5);

    private static readonly AuditInfo HostChanged = new("host.changed", "host", null, AuditJson.Host);

    /// <summary>
    /// Reads the host and commits what others changed as one step (actor <c>host</c>); a change of
    /// request counters alone is taken over without a step. Every change reads the whole host
    /// first; the poll (<paramref name="full"/> false) reads it only when the host's cheap
    /// signature moved, a uevent (<paramref name="full"/> true) always.
    /// </summary>
    public void Refresh(bool full = true)
    {
        lock (_writer)
        {
            RefreshLocked(full);
        }
        _journal.Flush();
    }

    /// <summary>Under the writer lock. The simulated host changes only through this runner: nothing to read.</summary>
    private void RefreshLocked(bool full = true)
    {
        if (_host.Kind == HostKind.Simulated)
        {
            return;
        }
        if ((full ? _host.Read() : _host.Poll()) is not { } state)
        {
            return;
        }
        var head = _head;
        var (next, delta) = SnapshotBuilder.Next(head, state);
        if (next.Version > head.Version)
        {
            Volatile.Write(ref _head, next);
            _journal.Append(new JournalEntry(_recorder.Record(HostChanged, "host", head, next, null, delta, false), next));
        }
        else if (!ReferenceEquals(next, head) && ReferenceEquals(head, Volatile.Read(ref _current)))
        {
            // Only counters moved, and no step is in flight: readers see them without a new version.
            Volatile.Write(ref _head, next);
            Volatile.Write(ref _current, next);
        }
    }

    private Verdict<T> Judge<T>(ApSnapshot basis, Func<ApSnapshot, Verdict<T>> judge) where T : class
    {
        var outer = t_judging;
        t_judging = this;
        try
        {
            return judge(basis);
        }
        finally
        {
            t_judging = outer;
        }
    }

    /// <summary>A dry run: the kernel's rules on the basis say what the write would do.</summary>
    private static (Outcome<T> Answer, ApSnapshot? Next, StepDelta Delta) Preview<T>(ApSnapshot basis, Verdict<T> verdict) where T : class
    {
        if (verdict is not Writing<T> writing)
        {
            return Settled(verdict);
        }
        var predicted = SimulatedKernel.Apply(basis.Host, writing.Write);
        if (!predicted.Accepted)
        {
            return (KernelRefusal(writing.Write, predicted.Errno, null), null, StepDelta.None);
        }
        return Answer(basis, predicted.State, writing);
    }

    /// <summary>Under the writer lock: the write, the read back and the next head.</summary>
    private (Outcome<T> Answer, ApSnapshot? Next, StepDelta Delta) Commit<T>(ApSnapshot basis, Verdict<T> verdict) where T : class
    {
        if (verdict is not Writing<T> writing)
        {
            return Settled(verdict);
        }
        var errno = _host.Apply(writing.Write);
        if (errno != Errno.None)
        {
            return (KernelRefusal(writing.Write, errno, _host.LastRefused), null, StepDelta.None);
        }
        return Answer(basis, _host.Read(), writing);
    }

    private static (Outcome<T>, ApSnapshot?, StepDelta) Settled<T>(Verdict<T> verdict) where T : class => verdict switch
    {
        Refused<T> r => (r.Refusal, null, StepDelta.None),
        Answered<T> a => (a.Answer, null, StepDelta.None),
        _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
    };

    private static (Outcome<T>, ApSnapshot?, StepDelta) Answer<T>(ApSnapshot basis, HostState state, Writing<T> writing) where T : class
    {
        var (next, delta) = SnapshotBuilder.Next(basis, state, writing.Names, writing.Forms);
        var answer = writing.Answer(next, delta.Rebound);
        return (answer, next.Version == basis.Version ? null : next, delta);
    }

    private static HostRefused KernelRefusal(HostWrite write, Errno errno, RefusedWrite? refused) =>
        refused is null ? new(errno, write.GetType().Name, write.ToString()) : new(errno, refused.Attribute, refused.Written);
}
