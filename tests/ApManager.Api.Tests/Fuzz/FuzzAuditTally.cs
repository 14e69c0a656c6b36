using ApManager.Core.Audit;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>Counts the audit records as they become durable: all of them, the committed ones, and gaps in their sequence.</summary>
public sealed class FuzzAuditTally
{
    private long _lastSeq;

    public long Records { get; private set; }

    public long Committed { get; private set; }

    public long SeqGaps { get; private set; }

    public void OnDurable(IReadOnlyList<AuditRecord> records)
    {
        foreach (var r in records)
        {
            Records++;
            if (_lastSeq != 0 && r.Seq != _lastSeq + 1)
            {
                SeqGaps++;
            }
            _lastSeq = r.Seq;
            if (r.Committed)
            {
                Committed++;
            }
        }
    }
}
