namespace ApManager.Core.Masks;

/// <summary>
/// Parses a single id the way the kernel's vfio_ap <c>assign_*</c> attributes do
/// (<c>kstrtoul(buf, 0, &amp;id)</c>): one optional leading <c>+</c>, base as in <c>simple_strtoul</c>
/// (<c>0x</c> hex, leading <c>0</c> octal, else decimal), at least one digit, one optional trailing
/// newline and nothing else. Above 2^64 − 1 is <c>ERANGE</c>; anything else malformed <c>EINVAL</c>.
/// </summary>
public static class IdText
{
    public enum Error
    {
        None,
        EINVAL,
        ERANGE,
    }

    public static Error TryParse(string text, out ulong value)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = 0;
        var s = text.AsSpan();
        if (s.Length > 0 && s[^1] == '\n')
        {
            s = s[..^1];
        }
        if (s.Length > 0 && s[0] == '+')
        {
            s = s[1..];
        }
        if (s.IsEmpty)
        {
            return Error.EINVAL;
        }
        var radix = 10u;
        if (s[0] == '0')
        {
            if (s.Length >= 3 && (s[1] is 'x' or 'X') && char.IsAsciiHexDigit(s[2]))
            {
                radix = 16;
                s = s[2..];
            }
            else
            {
                radix = 8;
            }
        }
        var overflow = false;
        foreach (var c in s)
        {
            var d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (d >= radix)
            {
                return Error.EINVAL;
            }
            var next = unchecked((value * radix) + (uint)d);
            if (value > (ulong.MaxValue - (uint)d) / radix)
            {
                overflow = true;
            }
            value = next;
        }
        return overflow ? Error.ERANGE : Error.None;
    }
}
