using System.Text;
using ApManager.Core.Audit;

namespace ApManager.Core.Journal;

/// <summary>
/// Keeps the audit trail in memory (bounded) and publishes each step at once: for tests,
/// benchmarks and the in-memory mode. Nothing survives a restart.
/// </summary>
/// <remarks>
/// The kept records' texts (input and the before, after and details JSON) live as UTF-8 in one ring buffer, not as
/// strings on the managed heap. A record is a few hundred bytes to tens of KB (a mask change that
/// rebinds 85 queues lists each of them); kept as strings, a wrk write flood pushed ~100 MB of them
/// through every garbage collection (gen0 pauses of 10–13 ms, blocking gen2 of 50–80 ms: the
/// writes' p99 in memory mode, docs/performance.md). The buffer has no references for the GC to
/// trace or copy, and grows (by doubling) only as far as the trail needs.
/// </remarks>
public sealed class InMemoryJournal : IStateJournal
{
    /// <summary>
    /// Records kept: enough for a dashboard and an audit page, small enough that the in-memory mode
    /// does not grow to hundreds of MB under a write flood.
    /// </summary>
    public const int DefaultCapacity = 10_000;

    /// <summary>
    /// At most this much JSON text (UTF-8) is kept in the ring; the oldest records make room. A
    /// record larger than a quarter of it keeps its texts as strings (UTF-16), within this much again.
    /// </summary>
    public const int DefaultTextBytes = 16 * 1024 * 1024;

    private const int InitialTextBytes = 64 * 1024;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Lock _gate = new();
    private readonly int _capacity;
    private readonly int _maxTextBytes;
    private readonly Kept[] _kept;
    // The sequence numbers of the kept records whose texts are in the ring, oldest first (their
    // regions follow each other around the ring in this order).
    private readonly Queue<long> _withText = new();
    private byte[] _text = [];
    private int _first;
    private int _count;
    private int _writeAt;
    // Texts kept as strings (a record too large for the ring, or not valid UTF-16), in UTF-8 bytes.
    private long _inlineBytes;
    private ICommitSink? _sink;
    private long _seq;

    public InMemoryJournal(int capacity = DefaultCapacity, int textBytes = DefaultTextBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(textBytes, 1);
        _capacity = capacity;
        _maxTextBytes = textBytes;
        _kept = new Kept[capacity];
    }

    /// <summary>
    /// One kept record: its fields, and where its texts (input, before, after, details) are in the
    /// ring; no object per record, so nothing of it ages through the GC's generations. A record
    /// whose texts do not fit the ring (or are not valid UTF-16) is kept whole instead (<see cref="Whole"/>).
    /// </summary>
    private struct Kept
    {
        public AuditRecord? Whole;
        public long Seq;
        public DateTimeOffset Time;
        public string Actor;
        public string Action;
        public string Target;
        public bool Accepted;
        public string? Refusal;
        public bool DryRun;
        public long VersionBefore;
        public long VersionAfter;
        public IReadOnlyList<string> Events;
        public int Offset;
        public int InputLength;
        public int BeforeLength;
        public int AfterLength;
        public int DetailsLength;

        public readonly bool Inline => Whole is not null;

        public readonly int Length =>
            Math.Max(InputLength, 0) + Math.Max(BeforeLength, 0) + Math.Max(AfterLength, 0) + Math.Max(DetailsLength, 0);
    }

    public long LastSeq => Volatile.Read(ref _seq);

    public event Action<IReadOnlyList<AuditRecord>>? Durable;

    public void Attach(ICommitSink sink) => _sink = sink;

    public Task Append(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            var record = entry.Audit with { Seq = _seq + 1 };
            Keep(record);
            if (entry.After is not null)
            {
                _sink?.Publish(entry.After);
            }
            Volatile.Write(ref _seq, record.Seq);
            Durable?.Invoke([record]);
        }
        return Task.CompletedTask;
    }

    /// <summary>Nothing to do: <see cref="Append"/> publishes at once.</summary>
    public void Flush()
    {
    }

    public IReadOnlyList<AuditRecord> ReadAudit(long after, int limit)
    {
        lock (_gate)
        {
            var result = new List<AuditRecord>(Math.Min(Math.Max(limit, 0), _count));
            for (var i = 0; i < _count && result.Count < limit; i++)
            {
                ref readonly var kept = ref _kept[(_first + i) % _capacity];
                if (kept.Seq > after)
                {
                    result.Add(Restore(kept));
                }
            }
            return result;
        }
    }

    /// <summary>Under the gate: the record goes in at the end, the oldest make room (count and text).</summary>
    private void Keep(AuditRecord record)
    {
        if (_count == _capacity)
        {
            DropOldest();
        }
        Kept kept;
        if (TryEncodedLength(record, out var length) && length <= _maxTextBytes / 4)
        {
            var offset = Reserve(length);
            kept = new Kept
            {
                Seq = record.Seq,
                Time = record.Time,
                Actor = record.Actor,
                Action = record.Action,
                Target = record.Target,
                Accepted = record.Accepted,
                Refusal = record.Refusal,
                DryRun = record.DryRun,
                VersionBefore = record.VersionBefore,
                VersionAfter = record.VersionAfter,
                Events = record.Events,
                Offset = offset,
            };
            var at = offset;
            kept.InputLength = Write(record.Input, ref at);
            kept.BeforeLength = Write(record.Before, ref at);
            kept.AfterLength = Write(record.After, ref at);
            kept.DetailsLength = Write(record.Details, ref at);
            if (length > 0)
            {
                _withText.Enqueue(record.Seq);
            }
        }
        else
        {
            kept = new Kept { Seq = record.Seq, Whole = record };
            _inlineBytes += InlineBytes(record);
        }
        _kept[(_first + _count) % _capacity] = kept;
        _count++;
        // Texts kept as strings have their own budget, as large as the ring.
        while (_inlineBytes > _maxTextBytes && _count > 1)
        {
            DropOldest();
        }
    }

    private static long InlineBytes(AuditRecord record) =>
        2L * ((record.Input?.Length ?? 0) + (record.Before?.Length ?? 0) + (record.After?.Length ?? 0) + (record.Details?.Length ?? 0));

    /// <summary>Where <paramref name="length"/> bytes go: after the newest record, else from the start (growing the ring first while it may grow), dropping the oldest records in the way.</summary>
    private int Reserve(int length)
    {
        if (_writeAt + length > _text.Length)
        {
            if (_text.Length < _maxTextBytes)
            {
                Grow(length);
            }
            if (_writeAt + length > _text.Length)
            {
                // Around to the start: the texts between here and the end are the oldest; they go first.
                while (_withText.TryPeek(out var tail) && Slot(tail).Offset >= _writeAt)
                {
                    DropThrough(tail);
                }
                _writeAt = 0;
            }
        }
        var start = _writeAt;
        var end = start + length;
        while (_withText.TryPeek(out var seq) && Overlaps(Slot(seq), start, end))
        {
            DropThrough(seq);
        }
        _writeAt = end;
        return start;
    }

    /// <summary>The record with these texts goes, with every record older than it (the ring stays in order).</summary>
    private void DropThrough(long seq)
    {
        while (_count > 0 && _kept[_first].Seq <= seq)
        {
            DropOldest();
        }
    }

    private ref Kept Slot(long seq) => ref _kept[(int)((_first + (seq - _kept[_first].Seq)) % _capacity)];

    private static bool Overlaps(in Kept kept, int start, int end) => kept.Offset < end && kept.Offset + kept.Length > start;

    /// <summary>Doubles the ring (up to the limit) and packs the kept texts at its start, oldest first.</summary>
    private void Grow(int needed)
    {
        var used = 0;
        for (var i = 0; i < _count; i++)
        {
            used += _kept[(_first + i) % _capacity].Length;
        }
        var size = Math.Min(Math.Max(_text.Length, InitialTextBytes), _maxTextBytes);
        while (size < used + needed && size < _maxTextBytes)
        {
            size = (int)Math.Min((long)size * 2, _maxTextBytes);
        }
        if (size == _text.Length)
        {
            size = (int)Math.Min((long)size * 2, _maxTextBytes);
        }
        // Uninitialised: the pages cost memory only once the trail reaches them.
        var grown = GC.AllocateUninitializedArray<byte>(size);
        var at = 0;
        for (var i = 0; i < _count; i++)
        {
            ref var kept = ref _kept[(_first + i) % _capacity];
            if (kept.Inline || kept.Length == 0)
            {
                continue;
            }
            // Fits: the new size is at least what the kept texts use.
            _text.AsSpan(kept.Offset, kept.Length).CopyTo(grown.AsSpan(at));
            kept.Offset = at;
            at += kept.Length;
        }
        _text = grown;
        _writeAt = at;
    }

    private void DropOldest()
    {
        if (_withText.TryPeek(out var seq) && seq == _kept[_first].Seq)
        {
            _withText.Dequeue();
        }
        if (_kept[_first].Inline)
        {
            _inlineBytes -= InlineBytes(_kept[_first].Whole!);
        }
        _kept[_first] = default;
        _first = (_first + 1) % _capacity;
        _count--;
        if (_count == 0)
        {
            _first = 0;
            _writeAt = 0;
        }
    }

    /// <summary>The UTF-8 length of the record's texts; false when one is not valid UTF-16 (a lone surrogate): kept as it is.</summary>
    private static bool TryEncodedLength(AuditRecord record, out int length)
    {
        length = 0;
        try
        {
            foreach (var text in (ReadOnlySpan<string?>)[record.Input, record.Before, record.After, record.Details])
            {
                length += text is null ? 0 : Strict.GetByteCount(text);
            }
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>Writes the text at <paramref name="at"/> and moves past it; its byte length, or -1 for null.</summary>
    private int Write(string? text, ref int at)
    {
        if (text is null)
        {
            return -1;
        }
        var written = Strict.GetBytes(text, _text.AsSpan(at));
        at += written;
        return written;
    }

    private AuditRecord Restore(in Kept kept)
    {
        if (kept.Whole is { } whole)
        {
            return whole;
        }
        var at = kept.Offset;
        var input = Read(ref at, kept.InputLength);
        var before = Read(ref at, kept.BeforeLength);
        var after = Read(ref at, kept.AfterLength);
        var details = Read(ref at, kept.DetailsLength);
        return new AuditRecord(kept.Seq, kept.Time, kept.Actor, kept.Action, kept.Target, input, kept.Accepted, kept.Refusal, kept.DryRun,
            kept.VersionBefore, kept.VersionAfter, before, after, details, kept.Events);
    }

    private string? Read(ref int at, int length)
    {
        if (length < 0)
        {
            return null;
        }
        var text = Encoding.UTF8.GetString(_text, at, length);
        at += length;
        return text;
    }
}
