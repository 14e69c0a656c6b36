using ApManager.Core.Audit;
using ApManager.Core.State;

namespace ApManager.Core.Journal;

/// <summary>One entry for the journal: an audit record and, when the attempt committed a step, the new state.</summary>
public sealed record JournalEntry(AuditRecord Audit, ApSnapshot? After);

/// <summary>
/// What a journal sees of the writer it keeps: the snapshot readers see, where to publish a step
/// once it is durable, and how to undo the steps built on a write that failed.
/// </summary>
public interface ICommitSink
{
    /// <summary>The latest durable snapshot.</summary>
    ApSnapshot Current { get; }

    /// <summary>A step is durable: readers see it from now on.</summary>
    void Publish(ApSnapshot snapshot);

    /// <summary>
    /// A write failed: under the writer lock, fails every pending entry (through
    /// <paramref name="failPending"/>) and moves the writer back to the last durable snapshot.
    /// </summary>
    void Rollback(Action failPending);
}

/// <summary>
/// Where committed steps and audit records go. <see cref="Append"/> is called in step order
/// (state-changing entries under the writer lock); the returned task completes once the entry is
/// durable, and only then does the journal publish its snapshot to readers through the
/// <see cref="ICommitSink"/>. A failed write fails every entry built on it and rolls the writer back.
/// </summary>
public interface IStateJournal
{
    /// <summary>Called once by the writer that owns the journal.</summary>
    void Attach(ICommitSink sink);

    /// <summary>
    /// Assigns the audit sequence number and queues the entry; the task completes when durable.
    /// The caller must call <see cref="Flush"/> once it has released the writer lock.
    /// </summary>
    Task Append(JournalEntry entry);

    /// <summary>
    /// Makes what is queued durable on the calling thread, unless another thread is already doing
    /// so (that one takes the queued entries too). Called after every <see cref="Append"/>, outside
    /// the writer lock, so a lone writer commits without a thread hop and writers arriving together
    /// still share one commit.
    /// </summary>
    void Flush();

    /// <summary>Audit records with <c>Seq &gt; after</c>, oldest first, at most <paramref name="limit"/>.</summary>
    IReadOnlyList<AuditRecord> ReadAudit(long after, int limit);

    /// <summary>The last durable audit sequence number.</summary>
    long LastSeq { get; }

    /// <summary>Raised after each durable batch with its audit records, in order.</summary>
    event Action<IReadOnlyList<AuditRecord>>? Durable;
}
