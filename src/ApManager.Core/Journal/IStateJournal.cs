using ApManager.Core.State;

namespace ApManager.Core.Journal;

/// <summary>One entry for the journal: an audit record and, when the attempt committed a step, the new state.</summary>
public sealed record JournalEntry(AuditRecord Audit, ApSnapshot? After);

/// <summary>
/// Where committed steps and audit records go. <see cref="Append"/> is called in step order
/// (state-changing entries under the writer lock); the returned task completes once the entry is
/// durable, and only then does the journal publish its snapshot to readers through
/// <see cref="ApSystem"/>. A failed write fails every entry built on it and rolls the writer back.
/// </summary>
public interface IStateJournal
{
    /// <summary>Called once by the system that owns the journal.</summary>
    void Attach(ApSystem system);

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
