using ApManager.Core.Audit;
using ApManager.Core.Journal;
using ApManager.Core.State;
using Microsoft.Data.Sqlite;

namespace ApManager.Storage;

/// <summary>
/// Group commit with a leader. Entries queue in step order; the first caller of
/// <see cref="Flush"/> to find nobody writing writes the queue itself (a lone writer pays no thread
/// hop), callers arriving meanwhile only queue. When more arrived while the leader wrote, it hands
/// the leadership to a background writer and goes back to answer its own request, so no caller
/// waits for other people's commits. Nothing is acknowledged before its transaction is durable;
/// a failed write fails every entry built on it and rolls the writer back.
/// </summary>
internal sealed class GroupCommitter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly StateWriter _writer;
    private readonly string _path;
    private readonly Action<string, Exception>? _onWriteFailure;
    private readonly Action<IReadOnlyList<AuditRecord>> _durable;
    private readonly Lock _gate = new();
    // Wakes the background writer when a caller hands the leadership over (no spinning: on two
    // cores a spinning waiter takes the CPU the fsync's completion and the requests need).
    private readonly AutoResetEvent _handOver = new(false);
    private readonly Thread _background;
    private List<Pending> _queue = [];
    private ICommitSink? _sink;
    private ApSnapshot? _lastDurable;
    private long _nextSeq;
    private long _lastDurableSeq;
    private bool _stopping;
    // Under _gate: a thread is writing (the leader); entries queued meanwhile are its to write.
    private bool _writing;
    // Under _gate: the leadership was handed to the background writer.
    private bool _handedOver;
    private bool _exit;

    public GroupCommitter(SqliteConnection connection, StateWriter writer, string path, long lastSeq,
        Action<string, Exception>? onWriteFailure, Action<IReadOnlyList<AuditRecord>> durable)
    {
        _connection = connection;
        _writer = writer;
        _path = path;
        _nextSeq = lastSeq;
        _lastDurableSeq = lastSeq;
        _onWriteFailure = onWriteFailure;
        _durable = durable;
        _background = new Thread(BackgroundLoop) { IsBackground = true, Name = "apmanager-store" };
    }

    public IStoreMetrics Metrics { get; set; } = NoStoreMetrics.Instance;

    public long LastDurableSeq => Volatile.Read(ref _lastDurableSeq);

    /// <summary>Starts committing on behalf of <paramref name="sink"/>, whose current snapshot is durable.</summary>
    public void Start(ICommitSink sink)
    {
        _sink = sink;
        _lastDurable = sink.Current;
        _background.Start();
    }

    public Task Append(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var pending = new Pending(entry.Audit, entry.After, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            if (_stopping)
            {
                pending.Done.SetException(new StorageException("The store is shut down."));
                return pending.Done.Task;
            }
            pending.Audit = pending.Audit with { Seq = ++_nextSeq };
            _queue.Add(pending);
        }
        return pending.Done.Task;
    }

    public void Flush()
    {
        List<Pending> batch;
        lock (_gate)
        {
            if (_writing || _queue.Count == 0)
            {
                return;
            }
            _writing = true;
            batch = TakeQueue();
        }
        try
        {
            Write(batch);
        }
        finally
        {
            HandOverOrRelease();
        }
    }

    /// <summary>The leader is done: the background writer takes what queued meanwhile, or nobody leads.</summary>
    private void HandOverOrRelease()
    {
        lock (_gate)
        {
            if (_queue.Count == 0)
            {
                _writing = false;
                return;
            }
            _handedOver = true;
        }
        _handOver.Set();
    }

    /// <summary>Under <see cref="_gate"/>: the queued entries, leaving an empty queue.</summary>
    private List<Pending> TakeQueue()
    {
        var batch = _queue;
        _queue = [];
        return batch;
    }

    /// <summary>The leader's loop: writes batches until the queue is empty, then gives up the leadership.</summary>
    private void WriteUntilEmpty()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _writing = false;
                    return;
                }
                batch = TakeQueue();
            }
            try
            {
                Write(batch);
            }
            catch
            {
                HandOverOrRelease();
                throw;
            }
        }
    }

    private void BackgroundLoop()
    {
        while (true)
        {
            _handOver.WaitOne();
            bool mine;
            bool exit;
            lock (_gate)
            {
                mine = _handedOver;
                _handedOver = false;
                exit = _exit;
            }
            if (mine)
            {
                WriteUntilEmpty();
            }
            if (exit)
            {
                return;
            }
        }
    }

    private void Write(List<Pending> batch)
    {
        ApSnapshot? last = null;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            using var tx = _connection.BeginTransaction();
            _writer.InsertAudit(tx, batch.Select(p => p.Audit));
            foreach (var p in batch)
            {
                last = p.After ?? last;
            }
            if (last is not null)
            {
                _writer.WriteChanges(tx, _lastDurable!, last);
            }
            tx.Commit();
        }
        catch (Exception ex)
        {
            Fail(batch, ex);
            return;
        }
        // Durable from here on: whatever a subscriber does, the batch is published and answered,
        // and a subscriber's exception is raised only afterwards (the leader gives up its role first).
        Exception? subscriberFailure = null;
        void Notify(Action notify)
        {
            try
            {
                notify();
            }
            catch (Exception ex)
            {
                subscriberFailure ??= ex;
            }
        }
        Notify(() => Metrics.Committed(System.Diagnostics.Stopwatch.GetElapsedTime(started), batch.Count));
        if (last is not null)
        {
            _lastDurable = last;
            Notify(() => _sink!.Publish(last));
        }
        Volatile.Write(ref _lastDurableSeq, batch[^1].Audit.Seq);
        foreach (var p in batch)
        {
            p.Done.TrySetResult();
        }
        Notify(() => _durable([.. batch.Select(p => p.Audit)]));
        if (subscriberFailure is not null)
        {
            throw new InvalidOperationException("A subscriber of the store failed after a durable commit.", subscriberFailure);
        }
    }

    /// <summary>The batch, and everything queued after it (built on it), fails; the writer rolls back.</summary>
    private void Fail(List<Pending> batch, Exception ex)
    {
        Metrics.Failed();
        _onWriteFailure?.Invoke(_path, ex);
        var failure = new StorageException($"The change could not be made durable in {_path}: {ex.Message}", ex);
        void FailPending()
        {
            lock (_gate)
            {
                foreach (var p in batch.Concat(_queue))
                {
                    p.Done.TrySetException(failure);
                }
                _queue = [];
                _nextSeq = _lastDurableSeq;
            }
        }
        if (_sink is { } sink)
        {
            sink.Rollback(FailPending);
        }
        else
        {
            FailPending();
        }
    }

    /// <summary>Writes what is queued, then stops the background writer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
        }
        // Whoever leads finishes what it took; what is still queued is written here.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            bool lead;
            lock (_gate)
            {
                if (!_writing && _queue.Count == 0)
                {
                    break;
                }
                lead = !_writing;
                _writing = true;
            }
            if (lead)
            {
                WriteUntilEmpty();
            }
            else
            {
                Thread.Sleep(1);
            }
        }
        lock (_gate)
        {
            _exit = true;
        }
        _handOver.Set();
        if (_background.IsAlive)
        {
            _background.Join(TimeSpan.FromSeconds(10));
        }
        _handOver.Dispose();
    }

    private sealed class Pending(AuditRecord audit, ApSnapshot? after, TaskCompletionSource done)
    {
        public AuditRecord Audit { get; set; } = audit;

        public ApSnapshot? After { get; } = after;

        public TaskCompletionSource Done { get; } = done;
    }
}
