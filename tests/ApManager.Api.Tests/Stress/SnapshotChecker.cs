using System.Collections.Concurrent;
using ApManager.Core.Drivers;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// Watches the store while the load runs: every published snapshot is checked in full on a thread
/// of its own, versions are published one step at a time, and <c>Current</c>, polled, never goes
/// back and always has vfio_ap registered.
/// </summary>
public sealed class SnapshotChecker(ApSystem system, StressFailures failures)
{
    private readonly ConcurrentQueue<ApSnapshot> _published = new();
    private long _publishGaps;
    private long _snapshotsChecked;
    private long _currentPolls;
    private volatile bool _stopping;
    private Thread? _thread;

    public long SnapshotsChecked => Interlocked.Read(ref _snapshotsChecked);

    public long CurrentPolls => Interlocked.Read(ref _currentPolls);

    public long PublishGaps => Interlocked.Read(ref _publishGaps);

    public void Start()
    {
        system.Committed += OnCommitted;
        _thread = new Thread(Check) { IsBackground = true, Name = "invariant checker" };
        _thread.Start();
    }

    /// <summary>Stops listening, then lets the thread drain what was published.</summary>
    public void Stop()
    {
        system.Committed -= OnCommitted;
        _stopping = true;
        if (_thread is not null && !_thread.Join(TimeSpan.FromSeconds(120)))
        {
            failures.Fail("the checker did not drain within 120 s");
        }
    }

    private void OnCommitted(ApSnapshot before, ApSnapshot after)
    {
        if (after.Version != before.Version + 1)
        {
            Interlocked.Increment(ref _publishGaps);
        }
        _published.Enqueue(after);
    }

    /// <summary>Checks every published snapshot, and polls Current: the version never goes back.</summary>
    private void Check()
    {
        var last = 0L;
        while (true)
        {
            var stopping = _stopping;
            last = PollCurrent(last);
            var drained = 0;
            while (_published.TryDequeue(out var s))
            {
                drained++;
                Interlocked.Increment(ref _snapshotsChecked);
                foreach (var v in SnapshotInvariants.Violations(s))
                {
                    failures.Fail($"snapshot: {v}");
                }
            }
            if (stopping && drained == 0)
            {
                return;
            }
            if (drained == 0)
            {
                Thread.Sleep(1);
            }
        }
    }

    private long PollCurrent(long last)
    {
        var current = system.Current;
        Interlocked.Increment(ref _currentPolls);
        if (current.Version < last)
        {
            failures.Fail($"Current went back from version {last} to {current.Version}");
        }
        if (!current.VfioApBinds || !system.Drivers.IsRegistered(WellKnownDrivers.VfioAp))
        {
            failures.Fail($"vfio_ap is not registered at version {current.Version}");
        }
        return current.Version;
    }
}
