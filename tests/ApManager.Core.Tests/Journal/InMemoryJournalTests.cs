using ApManager.Core.Audit;
using ApManager.Core.Journal;

namespace ApManager.Core.Tests.Journal;

/// <summary>The in-memory audit trail: records come back whole, the oldest make room by count and by text, texts survive the ring's wrap and growth.</summary>
public class InMemoryJournalTests
{
    private static AuditRecord Record(int n, string? before, string? after, string? details, string? input = "+3") => new(
        0, DateTimeOffset.UnixEpoch.AddSeconds(n), $"actor-{n % 3}", "bus.apmask", "bus", input, n % 2 == 0, n % 2 == 0 ? null : "queues-in-use",
        n % 5 == 0, n, n + 1, before, after, details, n % 2 == 0 ? [EventTypes.BusChanged] : [EventTypes.ChangeRefused]);

    private static string Text(int n, int length) => $"{{\"n\":{n},\"pad\":\"" + new string((char)('a' + n % 26), Math.Max(0, length - 20)) + "\u00e9\u4e2d\"}";

    private static List<AuditRecord> AppendAll(InMemoryJournal journal, IEnumerable<AuditRecord> records)
    {
        var appended = new List<AuditRecord>();
        journal.Durable += batch => appended.AddRange(batch);
        foreach (var r in records)
        {
            journal.Append(new JournalEntry(r, null));
        }
        return appended;
    }

    [Fact]
    public void RecordsComeBackAsAppendedWithTheirSequenceNumbers()
    {
        var journal = new InMemoryJournal();
        var appended = AppendAll(journal, Enumerable.Range(1, 50).Select(n =>
            Record(n, n % 4 == 0 ? null : Text(n, 100 + n), n % 3 == 0 ? null : Text(n, 7), n % 7 == 0 ? null : Text(n, 3000), n % 6 == 0 ? null : "+3")));

        var read = journal.ReadAudit(0, 1000);

        Assert.Equal(appended, read);
        Assert.Equal(Enumerable.Range(1, 50).Select(n => (long)n), read.Select(r => r.Seq));
        Assert.Equal(50, journal.LastSeq);
        Assert.Equal(appended.Skip(10).Take(5), journal.ReadAudit(10, 5));
        Assert.Empty(journal.ReadAudit(50, 10));
    }

    [Fact]
    public void TheOldestRecordsGoBeyondTheCapacity()
    {
        var journal = new InMemoryJournal(capacity: 10);
        var appended = AppendAll(journal, Enumerable.Range(1, 25).Select(n => Record(n, Text(n, 50), Text(n, 60), Text(n, 70))));

        Assert.Equal(appended.Skip(15), journal.ReadAudit(0, 100));
    }

    [Theory]
    [InlineData(4096, 300)]
    [InlineData(4096, 1000)]
    [InlineData(100_000, 900)]
    public void TheOldestRecordsMakeRoomForTextAndTheRestStayWhole(int textBytes, int size)
    {
        var journal = new InMemoryJournal(capacity: 1000, textBytes: textBytes);
        var random = new Random(size);
        var records = Enumerable.Range(1, 600).Select(n => Record(n,
            random.Next(5) == 0 ? null : Text(n, random.Next(size)),
            random.Next(5) == 0 ? null : Text(n, random.Next(size)),
            random.Next(3) == 0 ? null : Text(n, random.Next(size)))).ToList();
        var appended = new List<AuditRecord>();
        journal.Durable += batch => appended.AddRange(batch);

        foreach (var r in records)
        {
            journal.Append(new JournalEntry(r, null));
            // After every append: what is kept is the newest records, whole and in order.
            var kept = journal.ReadAudit(0, 10_000);
            Assert.NotEmpty(kept);
            Assert.Equal(appended[^kept.Count..], kept);
            // The ring's bytes (UTF-16 is at most twice UTF-8), as much again for records too large for it, and the newest record.
            var text = kept.Sum(k => 2L * ((k.Before ?? "").Length + (k.After ?? "").Length + (k.Details ?? "").Length));
            var newest = 2L * ((r.Before ?? "").Length + (r.After ?? "").Length + (r.Details ?? "").Length);
            Assert.True(text <= 3L * textBytes + newest, $"{text} bytes of text kept, limit {textBytes}");
        }
        Assert.True(journal.ReadAudit(0, 10_000).Count < 600);
    }

    [Fact]
    public void ARecordLargerThanTheRingOrNotValidUtf16IsKeptAsItIs()
    {
        var journal = new InMemoryJournal(capacity: 100, textBytes: 100_000);
        var appended = AppendAll(journal,
        [
            Record(1, Text(1, 100), null, null),
            Record(2, Text(2, 15_000), Text(2, 10), Text(2, 15_000)),
            Record(3, "{\"name\":\"\ud800\"}", null, null),
            Record(33, null, Text(33, 10), null, input: "\udc00+3"),
            Record(4, Text(4, 100), Text(4, 100), null),
        ]);

        Assert.Equal(appended, journal.ReadAudit(0, 10));

        // Another such record exceeds the budget for texts kept as strings: the oldest go, up to the first large one.
        journal.Append(new JournalEntry(Record(5, Text(5, 30_000), null, null), null));
        Assert.Equal([3L, 4L, 5L, 6L], journal.ReadAudit(0, 10).Select(r => r.Seq));
        Assert.Equal(appended.Skip(2), journal.ReadAudit(0, 10));
    }

    [Fact]
    public void RejectedAttemptsWithoutTextsDoNotHoldUpTheRing()
    {
        var journal = new InMemoryJournal(capacity: 50, textBytes: 2048);
        var records = Enumerable.Range(1, 400).Select(n => n % 4 == 0 ? Record(n, Text(n, 300), Text(n, 300), null) : Record(n, null, null, null)).ToList();
        var appended = AppendAll(journal, records);

        var kept = journal.ReadAudit(0, 1000);

        Assert.Equal(appended[^kept.Count..], kept);
        Assert.Equal(400, kept[^1].Seq);
    }
}
