namespace ApManager.Core.Masks;

/// <summary>The outcome of parsing one mask write: the new mask, or the errno and position.</summary>
public readonly record struct MaskParseResult
{
    private MaskParseResult(bool success, ApMask mask, Errno errno, int position)
        => (Success, Mask, Errno, Position) = (success, mask, errno, position);

    public bool Success { get; }

    /// <summary>The mask after the write (the current mask for an empty write).</summary>
    public ApMask Mask { get; }

    /// <summary>EINVAL for a grammar error, E2BIG for more than <see cref="MaskParser.MaxInputBytes"/> bytes.</summary>
    public Errno Errno { get; }

    /// <summary>0-based byte index of the first rejected character.</summary>
    public int Position { get; }

    public static MaskParseResult Ok(ApMask mask) => new(true, mask, default, 0);

    public static MaskParseResult Fail(Errno errno, int position) => new(false, default, errno, position);
}

/// <summary>
/// Parses what a user writes to <c>/sys/bus/ap/apmask</c> or <c>aqmask</c>, matching the kernel's
/// <c>ap_parse_mask_str</c>: absolute hex (<c>ap_hex2bitmap</c>) or relative terms
/// (<c>modify_bitmap</c>, with the 2024 wrap-around fix). Pure: syntax never depends on state
/// beyond the mask a relative write edits.
/// </summary>
public static class MaskParser
{
    /// <summary>sysfs hands a store at most one page; longer input is refused whole.</summary>
    public const int MaxInputBytes = 4096;

    public static MaskParseResult Parse(string input, ApMask current) =>
        Parse(System.Text.Encoding.UTF8.GetBytes(input), current);

    public static MaskParseResult Parse(ReadOnlySpan<byte> input, ApMask current)
    {
        if (input.Length > MaxInputBytes)
        {
            return MaskParseResult.Fail(Errno.E2BIG, MaxInputBytes);
        }
        if (input.IsEmpty)
        {
            // sysfs never passes a zero-length write on: nothing happens.
            return MaskParseResult.Ok(current);
        }
        var nul = input.IndexOf((byte)0);
        if (nul >= 0)
        {
            input = input[..nul];
        }
        return input.Length > 0 && (input[0] == '+' || input[0] == '-')
            ? ParseRelative(input, current)
            : ParseAbsolute(input);
    }

    private static MaskParseResult ParseAbsolute(ReadOnlySpan<byte> s)
    {
        var i = 0;
        if (s.Length >= 2 && s[0] == '0' && s[1] == 'x')
        {
            i = 2;
        }
        else if (s.Length >= 1 && s[0] == 'x')
        {
            i = 1;
        }
        Span<ulong> words = stackalloc ulong[4];
        words.Clear();
        var digits = 0;
        while (i < s.Length && HexValue(s[i]) is var v && v >= 0)
        {
            if (digits == 64)
            {
                return MaskParseResult.Fail(Errno.EINVAL, i);
            }
            words[digits >> 4] |= (ulong)v << (60 - ((digits & 15) * 4));
            digits++;
            i++;
        }
        if (i < s.Length && s[i] == '\n')
        {
            i++;
        }
        if (i < s.Length)
        {
            return MaskParseResult.Fail(Errno.EINVAL, i);
        }
        return MaskParseResult.Ok(ApMask.FromWords(words[0], words[1], words[2], words[3]));
    }

    private static MaskParseResult ParseRelative(ReadOnlySpan<byte> s, ApMask mask)
    {
        var i = 0;
        while (i < s.Length)
        {
            var sign = s[i];
            if (sign != '+' && sign != '-')
            {
                return MaskParseResult.Fail(Errno.EINVAL, i);
            }
            i++;
            var aStart = i;
            if (!TryReadNumber(s, ref i, out var a))
            {
                return MaskParseResult.Fail(Errno.EINVAL, aStart);
            }
            if (a >= ApMask.Bits)
            {
                return MaskParseResult.Fail(Errno.EINVAL, aStart);
            }
            var z = a;
            if (i < s.Length && s[i] == '-')
            {
                i++;
                var zStart = i;
                if (!TryReadNumber(s, ref i, out z) || z < a || z >= ApMask.Bits)
                {
                    return MaskParseResult.Fail(Errno.EINVAL, zStart);
                }
            }
            var range = ApMask.Range((int)a, (int)z);
            mask = sign == '+' ? mask | range : mask.Except(range);
            while (i < s.Length && (s[i] == ',' || s[i] == '\n'))
            {
                i++;
            }
        }
        return MaskParseResult.Ok(mask);
    }

    /// <summary>
    /// The kernel's <c>simple_strtoul(s, &amp;end, 0)</c>: base decided at the first character,
    /// digits read greedily, the value wrapping modulo 2^64. False when no digit was read.
    /// </summary>
    internal static bool TryReadNumber(ReadOnlySpan<byte> s, ref int i, out ulong value)
    {
        value = 0;
        if (i >= s.Length || !char.IsAsciiDigit((char)s[i]))
        {
            return false;
        }
        var radix = 10u;
        if (s[i] == '0')
        {
            if (i + 2 < s.Length && (s[i + 1] == 'x' || s[i + 1] == 'X') && HexValue(s[i + 2]) >= 0)
            {
                radix = 16;
                i += 2;
            }
            else
            {
                radix = 8;
            }
        }
        while (i < s.Length)
        {
            var d = HexValue(s[i]);
            if (d < 0 || d >= radix)
            {
                break;
            }
            value = unchecked((value * radix) + (uint)d);
            i++;
        }
        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
