using System.Numerics;

namespace ApManager.Core.Masks;

/// <summary>
/// A set of ids 0..255 held as 256 bits in four words, numbered MSB first like the kernel's
/// <c>set_bit_inv</c>: bit n is bit (63 - n % 64) of word n / 64. A value type with value equality.
/// </summary>
public readonly record struct ApMask
{
    public const int Bits = 256;

    private readonly ulong _w0, _w1, _w2, _w3;

    private ApMask(ulong w0, ulong w1, ulong w2, ulong w3) => (_w0, _w1, _w2, _w3) = (w0, w1, w2, w3);

    public static ApMask Empty => default;

    public static ApMask All => new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    internal static ApMask FromWords(ulong w0, ulong w1, ulong w2, ulong w3) => new(w0, w1, w2, w3);

    public static ApMask Of(params ReadOnlySpan<int> ids)
    {
        var mask = Empty;
        foreach (var id in ids)
        {
            mask = mask.With(id);
        }
        return mask;
    }

    public static ApMask Of(IEnumerable<int> ids)
    {
        var mask = Empty;
        foreach (var id in ids)
        {
            mask = mask.With(id);
        }
        return mask;
    }

    /// <summary>All ids from <paramref name="first"/> to <paramref name="last"/> inclusive.</summary>
    public static ApMask Range(int first, int last)
    {
        if (first > last)
        {
            return Empty;
        }
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(last, Bits);
        // Word-wise rather than bit by bit: a full range is 4 word operations, not 256 copies.
        return new(RangeWord(first, last, 0), RangeWord(first, last, 1), RangeWord(first, last, 2), RangeWord(first, last, 3));
    }

    /// <summary>The bits of <paramref name="first"/>..<paramref name="last"/> that lie in word <paramref name="word"/>, MSB first.</summary>
    private static ulong RangeWord(int first, int last, int word)
    {
        var lo = Math.Max(first, word * 64);
        var hi = Math.Min(last, (word * 64) + 63);
        if (lo > hi)
        {
            return 0;
        }
        return (ulong.MaxValue >> (lo & 63)) & (ulong.MaxValue << (63 - (hi & 63)));
    }

    internal ulong Word(int index) => index switch
    {
        0 => _w0,
        1 => _w1,
        2 => _w2,
        3 => _w3,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    private static ulong BitOf(int id) => 1UL << (63 - (id & 63));

    public bool Contains(int id)
    {
        if ((uint)id >= Bits)
        {
            return false;
        }
        return (Word(id >> 6) & BitOf(id)) != 0;
    }

    public ApMask With(int id)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)id, (uint)Bits, nameof(id));
        var bit = BitOf(id);
        return (id >> 6) switch
        {
            0 => new(_w0 | bit, _w1, _w2, _w3),
            1 => new(_w0, _w1 | bit, _w2, _w3),
            2 => new(_w0, _w1, _w2 | bit, _w3),
            _ => new(_w0, _w1, _w2, _w3 | bit),
        };
    }

    public ApMask Without(int id)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)id, (uint)Bits, nameof(id));
        var bit = ~BitOf(id);
        return (id >> 6) switch
        {
            0 => new(_w0 & bit, _w1, _w2, _w3),
            1 => new(_w0, _w1 & bit, _w2, _w3),
            2 => new(_w0, _w1, _w2 & bit, _w3),
            _ => new(_w0, _w1, _w2, _w3 & bit),
        };
    }

    public bool IsEmpty => (_w0 | _w1 | _w2 | _w3) == 0;

    public int Count =>
        BitOperations.PopCount(_w0) + BitOperations.PopCount(_w1) + BitOperations.PopCount(_w2) + BitOperations.PopCount(_w3);

    /// <summary>The lowest id in the mask, or -1 when it is empty.</summary>
    public int First =>
        _w0 != 0 ? BitOperations.LeadingZeroCount(_w0)
        : _w1 != 0 ? 64 + BitOperations.LeadingZeroCount(_w1)
        : _w2 != 0 ? 128 + BitOperations.LeadingZeroCount(_w2)
        : _w3 != 0 ? 192 + BitOperations.LeadingZeroCount(_w3)
        : -1;

    public bool Overlaps(ApMask other) =>
        ((_w0 & other._w0) | (_w1 & other._w1) | (_w2 & other._w2) | (_w3 & other._w3)) != 0;

    public static ApMask operator &(ApMask a, ApMask b) => new(a._w0 & b._w0, a._w1 & b._w1, a._w2 & b._w2, a._w3 & b._w3);

    public static ApMask operator |(ApMask a, ApMask b) => new(a._w0 | b._w0, a._w1 | b._w1, a._w2 | b._w2, a._w3 | b._w3);

    public static ApMask operator ^(ApMask a, ApMask b) => new(a._w0 ^ b._w0, a._w1 ^ b._w1, a._w2 ^ b._w2, a._w3 ^ b._w3);

    public static ApMask operator ~(ApMask a) => new(~a._w0, ~a._w1, ~a._w2, ~a._w3);

    /// <summary>The ids in this mask and not in <paramref name="other"/>.</summary>
    public ApMask Except(ApMask other) => this & ~other;

    /// <summary>The set ids in ascending order, without allocating.</summary>
    public BitEnumerator GetEnumerator() => new(this);

    public int[] ToArray()
    {
        var result = new int[Count];
        var i = 0;
        foreach (var id in this)
        {
            result[i++] = id;
        }
        return result;
    }

    /// <summary>Length of the sysfs show format: <c>0x</c> and 64 hex digits.</summary>
    public const int TextLength = 66;

    /// <summary>The sysfs show format: <c>0x</c> and 64 lower-case hex digits, word 0 first.</summary>
    public override string ToString() => string.Create(TextLength, this, static (span, m) => m.Format(span));

    /// <summary>
    /// Writes the sysfs show format into <paramref name="destination"/> (at least
    /// <see cref="TextLength"/> characters), without allocating: audit records and answers write
    /// several masks per change, and the general number formatter parsed "x16" every time.
    /// </summary>
    public void Format(Span<char> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, TextLength, nameof(destination));
        destination[0] = '0';
        destination[1] = 'x';
        for (var w = 0; w < 4; w++)
        {
            var word = Word(w);
            var digits = destination.Slice(2 + (w * 16), 16);
            for (var i = 15; i >= 0; i--)
            {
                digits[i] = "0123456789abcdef"[(int)(word & 0xF)];
                word >>= 4;
            }
        }
    }

    public struct BitEnumerator
    {
        private readonly ApMask _mask;
        private int _word;
        private ulong _rest;

        internal BitEnumerator(ApMask mask)
        {
            _mask = mask;
            _word = 0;
            _rest = mask._w0;
            Current = -1;
        }

        public int Current { get; private set; }

        public bool MoveNext()
        {
            while (_rest == 0)
            {
                if (++_word >= 4)
                {
                    return false;
                }
                _rest = _mask.Word(_word);
            }
            var lead = BitOperations.LeadingZeroCount(_rest);
            _rest &= ~(1UL << (63 - lead));
            Current = (_word << 6) + lead;
            return true;
        }
    }
}
