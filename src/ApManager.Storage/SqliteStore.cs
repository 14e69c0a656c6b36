using ApManager.Core.Audit;
using ApManager.Core.Journal;
using Microsoft.Data.Sqlite;

namespace ApManager.Storage;

/// <summary>
/// The durable store: SQLite in WAL mode with <c>synchronous=FULL</c>. Every committed step and
/// its audit record are written in one transaction before the step is published to readers and
/// before the caller is answered (<see cref="GroupCommitter"/>); audit reads never see past the
/// last durable record.
/// </summary>
public sealed class SqliteStore : IStateJournal, IDisposable
{
    private readonly StoreFile.Opened _file;
    private readonly StateWriter _writer;
    private readonly GroupCommitter _committer;
    private readonly AuditReader _audit;
    // What Open read, kept until Attach so only rows the store lacks are inserted.
    private PersistedState? _opened;

    private SqliteStore(StoreFile.Opened file, PersistedState? opened, long lastSeq, Action<string, Exception>? onWriteFailure)
    {
        _file = file;
        _opened = opened;
        _writer = new StateWriter(file.Connection);
        _committer = new GroupCommitter(file.Connection, _writer, file.Path, lastSeq, onWriteFailure, records => Durable?.Invoke(records));
        _audit = new AuditReader(file.Path);
    }

    public string Path => _file.Path;

    /// <summary>Where commit latency and failures are reported.</summary>
    public IStoreMetrics Metrics
    {
        get => _committer.Metrics;
        set => _committer.Metrics = value;
    }

    public long LastSeq => _committer.LastDurableSeq;

    public event Action<IReadOnlyList<AuditRecord>>? Durable;

    /// <summary>
    /// Opens (or creates) the store at <paramref name="path"/> and reads the state it holds, or
    /// null when it is new. A file that is not an ApManager database, is corrupt, or was written
    /// by a newer schema is refused with a <see cref="StorageException"/>: never started over.
    /// </summary>
    public static (SqliteStore Store, PersistedState? State) Open(string path, Action<string, Exception>? onWriteFailure = null)
    {
        var file = StoreFile.Open(path);
        try
        {
            var state = StateReader.Load(file.Connection);
            return (new SqliteStore(file, state, StateReader.LastSeq(file.Connection), onWriteFailure), state);
        }
        catch (SqliteException ex)
        {
            file.Connection.Dispose();
            file.Lock.Dispose();
            throw new StorageException($"Cannot read the database {file.Path}: {ex.Message} (SQLite error {ex.SqliteErrorCode}). ApManager will not start over a store it cannot read.", ex);
        }
        catch
        {
            file.Connection.Dispose();
            file.Lock.Dispose();
            throw;
        }
    }

    public void Attach(ICommitSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        using (var tx = _file.Connection.BeginTransaction())
        {
            if (!StateReader.HasState(_file.Connection) || _opened?.GlobalVersion != sink.Current.Version)
            {
                // A new store: the first state becomes its first durable state before anything is served.
                _writer.WriteFull(tx, sink.Current);
            }
            else
            {
                // Adapters and queues the configured topology added since the store was written were
                // restored at the global version: keep that version, or the next restart gives them another.
                _writer.InsertMissing(tx, sink.Current, _opened);
            }
            tx.Commit();
        }
        _opened = null;
        _committer.Start(sink);
    }

    public Task Append(JournalEntry entry) => _committer.Append(entry);

    public void Flush() => _committer.Flush();

    public IReadOnlyList<AuditRecord> ReadAudit(long after, int limit) => _audit.Read(after, limit, LastSeq);

    /// <summary>Writes what is queued, then stops the writer and closes the file.</summary>
    public void Dispose()
    {
        _committer.Dispose();
        _writer.Dispose();
        _file.Connection.Dispose();
        _file.Lock.Dispose();
        SqliteConnection.ClearAllPools();
    }
}
