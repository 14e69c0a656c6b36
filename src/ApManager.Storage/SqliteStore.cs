using System.Globalization;
using ApManager.Core.Journal;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.State;
using Microsoft.Data.Sqlite;

namespace ApManager.Storage;

/// <summary>
/// The durable store: SQLite in WAL mode with <c>synchronous=FULL</c>. Every committed step and
/// its audit record are written in one transaction before the step is published to readers and
/// before the caller is answered. Entries that arrive while a transaction is being written are
/// written together in the next one (group commit): one fsync for many writers, none acknowledged
/// early. A failed write fails every entry built on it and rolls the writer back.
/// </summary>
public sealed class SqliteStore : IStateJournal, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly StateWriter _writer;
    private readonly string _readConnectionString;
    private readonly Lock _gate = new();
    // Wakes the background writer when a caller hands the leadership over (no spinning: on two
    // cores a spinning waiter takes the CPU the fsync's completion and the requests need).
    private readonly AutoResetEvent _handOver = new(false);
    private readonly Thread _flusher;
    private readonly Action<string, Exception>? _onWriteFailure;
    private List<Pending> _queue = [];
    private ApSystem? _system;
    private ApSnapshot? _durable;
    private long _nextSeq;
    private long _lastDurableSeq;
    private volatile bool _stopping;
    // Under _gate: a thread is writing (the leader); entries queued meanwhile are its to write.
    private bool _writing;
    // Under _gate: the leadership was handed to the background writer.
    private bool _handedOver;
    private bool _exit;
    private FileStream? _lockFile;
    // What Open read, kept until Attach so only rows the store lacks are inserted.
    private PersistedState? _opened;

    private SqliteStore(string path, SqliteConnection connection, long lastSeq, Action<string, Exception>? onWriteFailure)
    {
        Path = path;
        _connection = connection;
        _writer = new StateWriter(connection);
        _readConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();
        _nextSeq = lastSeq;
        _lastDurableSeq = lastSeq;
        _onWriteFailure = onWriteFailure;
        _flusher = new Thread(FlushLoop) { IsBackground = true, Name = "apmanager-store" };
    }

    public string Path { get; }

    /// <summary>Where commit latency and failures are reported.</summary>
    public IStoreMetrics Metrics { get; set; } = NoStoreMetrics.Instance;

    public long LastSeq => Volatile.Read(ref _lastDurableSeq);

    public event Action<IReadOnlyList<AuditRecord>>? Durable;

    /// <summary>
    /// Opens (or creates) the store at <paramref name="path"/> and reads the state it holds, or
    /// null when it is new. A file that is not an ApManager database, is corrupt, or was written
    /// by a newer schema is refused with a <see cref="StorageException"/>: never started over.
    /// </summary>
    public static (SqliteStore Store, PersistedState? State) Open(string path, Action<string, Exception>? onWriteFailure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Cannot create the directory for the database {full}: {ex.Message}", ex);
        }
        // One ApManager per store: a second process would serve stale reads and fight over the
        // audit sequence. The lock is an exclusive open of <db>.lock, held for the store's lifetime.
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(full + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new StorageException($"The database {full} is in use by another ApManager process ({full}.lock is locked). Stop that process or point ApManager:Storage:Path elsewhere.", ex);
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 5000;");
            var check = Scalar(connection, "PRAGMA quick_check;")?.ToString();
            if (check != "ok")
            {
                throw new StorageException($"The database {full} is corrupt (quick_check: {check}). Restore it from a backup or move it away; ApManager will not start over an unreadable store.");
            }
            // Refuse a foreign or newer database before anything writes to it: switching to WAL
            // rewrites the file header, and a refused file must stay exactly as it was.
            Schema.Migrate(connection, full);
            if (Scalar(connection, "PRAGMA journal_mode = WAL;")?.ToString() != "wal")
            {
                throw new StorageException($"The database {full} cannot use WAL journaling.");
            }
            Execute(connection, "PRAGMA synchronous = FULL;");
            var state = Load(connection);
            var lastSeq = Convert.ToInt64(Scalar(connection, "SELECT COALESCE(MAX(seq), 0) FROM audit;"), CultureInfo.InvariantCulture);
            var store = new SqliteStore(full, connection, lastSeq, onWriteFailure) { _lockFile = lockFile, _opened = state };
            return (store, state);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            lockFile.Dispose();
            throw new StorageException($"Cannot open the database {full}: {ex.Message} (SQLite error {ex.SqliteErrorCode}). ApManager will not start over a store it cannot read.", ex);
        }
        catch
        {
            connection.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    public void Attach(ApSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        _durable = system.Current;
        if (Scalar(_connection, "SELECT value FROM meta WHERE key = 'global_version';") is null)
        {
            // A new store: the seed becomes its first durable state before anything is served.
            using var tx = _connection.BeginTransaction();
            _writer.WriteFull(tx, system.Current);
            tx.Commit();
        }
        else
        {
            // Adapters and queues the configured topology added since the store was written were
            // restored at the global version: keep that version, or the next restart gives them another.
            using var tx = _connection.BeginTransaction();
            _writer.InsertMissing(tx, system.Current, _opened);
            tx.Commit();
        }
        _opened = null;
        _flusher.Start();
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

    /// <summary>
    /// Group commit with a leader: the first caller to find nobody writing writes the queue itself
    /// (a lone writer pays no thread hop); callers arriving meanwhile only queue. When more arrived
    /// while the leader wrote, it hands the leadership to the background writer and goes back to
    /// answer its own request, so no caller waits for other people's commits.
    /// </summary>
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

    public IReadOnlyList<AuditRecord> ReadAudit(long after, int limit)
    {
        using var connection = new SqliteConnection(_readConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, time, actor, action, target, input, accepted, refusal, dry_run, version_before, version_after, before, after, details, events FROM audit WHERE seq > $after AND seq <= $last ORDER BY seq LIMIT $limit;";
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$last", LastSeq);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var result = new List<AuditRecord>();
        while (reader.Read())
        {
            result.Add(new AuditRecord(
                reader.GetInt64(0),
                DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetInt64(6) != 0,
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetInt64(8) != 0,
                reader.GetInt64(9),
                reader.GetInt64(10),
                reader.IsDBNull(11) ? null : reader.GetString(11),
                reader.IsDBNull(12) ? null : reader.GetString(12),
                reader.IsDBNull(13) ? null : reader.GetString(13),
                reader.GetString(14).Split(',', StringSplitOptions.RemoveEmptyEntries)));
        }
        return result;
    }

    private void FlushLoop()
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
            using (var tx = _connection.BeginTransaction())
            {
                _writer.InsertAudit(tx, batch.Select(p => p.Audit));
                foreach (var p in batch)
                {
                    last = p.After ?? last;
                }
                if (last is not null)
                {
                    _writer.WriteChanges(tx, _durable!, last);
                }
                tx.Commit();
            }
        }
        catch (Exception ex)
        {
            Metrics.Failed();
            _onWriteFailure?.Invoke(Path, ex);
            var failure = new StorageException($"The change could not be made durable in {Path}: {ex.Message}", ex);
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
            if (_system is { } system)
            {
                system.Rollback(FailPending);
            }
            else
            {
                FailPending();
            }
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
            _durable = last;
            Notify(() => _system!.Publish(last));
        }
        Volatile.Write(ref _lastDurableSeq, batch[^1].Audit.Seq);
        foreach (var p in batch)
        {
            p.Done.TrySetResult();
        }
        Notify(() => Durable?.Invoke([.. batch.Select(p => p.Audit)]));
        if (subscriberFailure is not null)
        {
            throw new InvalidOperationException("A subscriber of the store failed after a durable commit.", subscriberFailure);
        }
    }

    private static PersistedState? Load(SqliteConnection connection)
    {
        var meta = new Dictionary<string, string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT key, value FROM meta;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                meta[reader.GetString(0)] = reader.GetString(1);
            }
        }
        if (!meta.TryGetValue("global_version", out var globalVersion))
        {
            return null;
        }
        var apmask = MaskParser.Parse(meta["apmask"], ApMask.Empty);
        var aqmask = MaskParser.Parse(meta["aqmask"], ApMask.Empty);
        if (!apmask.Success || !aqmask.Success)
        {
            throw new StorageException("The stored masks do not parse; the database is damaged.");
        }
        var adapters = new List<(int, bool, long)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, configured, version FROM adapters;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                adapters.Add(((int)reader.GetInt64(0), reader.GetInt64(1) != 0, reader.GetInt64(2)));
            }
        }
        var devices = new List<(MdevId, string?, Assignment, string?, long)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT uuid, name, adapters, domains, control_domains, guest, version FROM mdevs;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                devices.Add((
                    MdevId.Parse(reader.GetString(0)),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    new Assignment(StateWriter.ParseIds(reader.GetString(2)), StateWriter.ParseIds(reader.GetString(3)), StateWriter.ParseIds(reader.GetString(4))),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.GetInt64(6)));
            }
        }
        var queues = new Dictionary<Apqn, long>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT adapter, domain, version FROM queues;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                queues[new Apqn((byte)reader.GetInt64(0), (byte)reader.GetInt64(1))] = reader.GetInt64(2);
            }
        }
        return new PersistedState(
            long.Parse(globalVersion, CultureInfo.InvariantCulture),
            apmask.Mask,
            aqmask.Mask,
            long.Parse(meta["bus_version"], CultureInfo.InvariantCulture),
            adapters,
            devices,
            queues);
    }

    internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Writes what is queued, then stops the writer thread and closes the file.</summary>
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
        if (_flusher.IsAlive)
        {
            _flusher.Join(TimeSpan.FromSeconds(10));
        }
        _writer.Dispose();
        _connection.Dispose();
        _lockFile?.Dispose();
        _handOver.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private sealed class Pending(AuditRecord audit, ApSnapshot? after, TaskCompletionSource done)
    {
        public AuditRecord Audit { get; set; } = audit;

        public ApSnapshot? After { get; } = after;

        public TaskCompletionSource Done { get; } = done;
    }
}
