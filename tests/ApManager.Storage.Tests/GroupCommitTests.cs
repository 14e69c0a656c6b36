using ApManager.Core.Journal;
using ApManager.Core.State;
using static ApManager.Storage.Tests.StoreDirectory;

namespace ApManager.Storage.Tests;

/// <summary>
/// The store's group commit with a leader: a lone writer commits on its own thread (no hand-off),
/// writers that arrive while a commit runs share the next one, and nothing is acknowledged
/// before its transaction is durable.
/// </summary>
public sealed class GroupCommitTests : IDisposable
{
    private readonly StoreDirectory _store = new();

    public void Dispose() => _store.Dispose();

    private (SqliteStore Store, ApSystem System) Open(IStoreMetrics? metrics = null) => _store.Open(metrics);

    [Fact]
    public void ALoneWriterIsDurableAndPublishedWhenTheCallReturns()
    {
        var (store, system) = Open();
        using (store)
        {
            var outcome = Flip(system, 100, clear: true);

            // Committed on the calling thread: nothing left for another thread to do.
            Assert.True(outcome.Durable.IsCompletedSuccessfully);
            Assert.False(system.Current.Bus.Apmask.Contains(100));
            Assert.Equal(store.LastSeq, store.ReadAudit(0, 10).Single().Seq);
        }
    }

    [Fact]
    public async Task WritersArrivingDuringACommitShareTheNextOneAndTheFirstIsNotHeldForThem()
    {
        const int Followers = 12;
        var metrics = new HoldFirstCommit();
        var (store, system) = Open(metrics);
        using (store)
        {
            // The leader's commit is held (after its fsync, before it answers) until every follower queued.
            var leader = Task.Run(() => Flip(system, 100, clear: true));
            Assert.True(metrics.FirstCommitReached.Wait(TimeSpan.FromSeconds(10)));
            Outcome<BusChange>[] queued;
            try
            {
                queued = await Task.WhenAll(Enumerable.Range(0, Followers).Select(i => Task.Run(() => Flip(system, 101 + i, clear: true))));
                Assert.All(queued, o => Assert.False(o.Durable.IsCompleted));
                Assert.True(system.Current.Bus.Apmask.Contains(101), "a follower's change was visible before it was durable");
            }
            finally
            {
                metrics.Release.Set();
            }

            await (await leader).Durable.WaitAsync(TimeSpan.FromSeconds(10));
            await Task.WhenAll(queued.Select(o => o.Durable)).WaitAsync(TimeSpan.FromSeconds(10));

            // One commit for the leader, one for every follower that queued meanwhile.
            Assert.Equal([1, Followers], metrics.Batches);
            Assert.All(Enumerable.Range(100, Followers + 1), bit => Assert.False(system.Current.Bus.Apmask.Contains(bit)));
            var audit = store.ReadAudit(0, 100);
            Assert.Equal(Enumerable.Range(1, Followers + 1).Select(i => (long)i), audit.Select(r => r.Seq));
            Assert.All(audit, r => Assert.True(r.Accepted));
        }
    }

    [Fact]
    public async Task ManyConcurrentWritersAreAllDurableWithAGapFreeAuditAfterARestart()
    {
        const int Writers = 16;
        const int Each = 40;
        var metrics = new CountingMetrics();
        var (store, system) = Open(metrics);
        using (store)
        {
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < Each; i++)
                {
                    await Flip(system, 100 + w, clear: i % 2 == 0).Durable;
                }
            })));
            Assert.Equal(Writers * Each, metrics.Entries);
            Assert.True(metrics.Commits <= Writers * Each);
        }

        // Every acknowledged change is in the file: after a restart each bit is where its last (set) write left it.
        var (reopened, again) = Open();
        using (reopened)
        {
            Assert.All(Enumerable.Range(100, Writers), bit => Assert.True(again.Current.Bus.Apmask.Contains(bit)));
            var audit = reopened.ReadAudit(0, Writers * Each + 10);
            Assert.Equal(Enumerable.Range(1, Writers * Each).Select(i => (long)i), audit.Select(r => r.Seq));
            Assert.Equal(Writers * Each, audit.Select(r => r.VersionAfter).Distinct().Count());
        }
    }

    [Fact]
    public async Task DisposingTheStoreWritesWhatIsQueuedAndRefusesWhatComesAfter()
    {
        var metrics = new HoldFirstCommit();
        var (store, system) = Open(metrics);
        var leader = Task.Run(() => Flip(system, 100, clear: true));
        Assert.True(metrics.FirstCommitReached.Wait(TimeSpan.FromSeconds(10)));
        var follower = await Task.Run(() => Flip(system, 101, clear: true));
        var disposing = Task.Run(store.Dispose);
        metrics.Release.Set();
        await disposing.WaitAsync(TimeSpan.FromSeconds(10));

        await (await leader).Durable;
        await follower.Durable;
        await Assert.ThrowsAsync<StorageException>(() => Flip(system, 102, clear: true).Durable);

        var (reopened, again) = Open();
        using (reopened)
        {
            Assert.False(again.Current.Bus.Apmask.Contains(100));
            Assert.False(again.Current.Bus.Apmask.Contains(101));
            Assert.True(again.Current.Bus.Apmask.Contains(102));
        }
    }

    [Fact]
    public async Task AFailingSubscriberNeitherLosesTheCommitNorStallsTheStore()
    {
        var (store, system) = Open();
        using (store)
        {
            var fail = true;
            store.Durable += _ =>
            {
                if (fail)
                {
                    fail = false;
                    throw new InvalidOperationException("subscriber kaput");
                }
            };

            // The caller that led the commit sees the subscriber's failure; the change itself is durable and published.
            var ex = Assert.Throws<InvalidOperationException>(() => Flip(system, 100, clear: true));
            Assert.Equal("subscriber kaput", ex.InnerException?.Message);
            Assert.False(system.Current.Bus.Apmask.Contains(100));

            // Nobody is left holding the leadership: the next writer commits as usual.
            var next = Flip(system, 101, clear: true);
            await next.Durable.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.False(system.Current.Bus.Apmask.Contains(101));
            Assert.Equal([1L, 2L], store.ReadAudit(0, 10).Select(r => r.Seq));
        }
    }

    private class CountingMetrics : IStoreMetrics
    {
        private int _commits;
        private int _entries;

        public int Commits => Volatile.Read(ref _commits);

        public int Entries => Volatile.Read(ref _entries);

        public virtual void Committed(TimeSpan duration, int entries)
        {
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _entries, entries);
        }

        public void Failed()
        {
        }
    }

    /// <summary>Holds the first commit (already durable, not yet answered) until released; records every batch size.</summary>
    private sealed class HoldFirstCommit : CountingMetrics
    {
        private readonly List<int> _batches = [];

        public ManualResetEventSlim FirstCommitReached { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public IReadOnlyList<int> Batches
        {
            get
            {
                lock (_batches)
                {
                    return [.. _batches];
                }
            }
        }

        public override void Committed(TimeSpan duration, int entries)
        {
            base.Committed(duration, entries);
            bool first;
            lock (_batches)
            {
                _batches.Add(entries);
                first = _batches.Count == 1;
            }
            if (first)
            {
                FirstCommitReached.Set();
                Release.Wait(TimeSpan.FromSeconds(30));
            }
        }
    }
}
