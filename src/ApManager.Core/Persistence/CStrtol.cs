namespace ApManager.Core.Persistence;

/// <summary>C's <c>strtol(s, NULL, 0)</c> as glibc reads it: no error is ever reported.</summary>
internal static class CStrtol
{
    /// <summary>
    /// Leading white space, an optional sign, <c>0x</c> hex (only before a hex digit), leading
    /// <c>0</c> octal, else decimal; stops at the first other character; no digits gives 0;
    /// overflow saturates at <see cref="long.MinValue"/> / <see cref="long.MaxValue"/>.
    /// </summary>
    public static long Parse(string s)
    {
        var i = 0;
        while (i < s.Length && s[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
        {
            i++;
        }
        var negative = false;
        if (i < s.Length && s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }
        var radix = 10;
        if (i < s.Length && s[i] == '0')
        {
            if (i + 2 < s.Length && s[i + 1] is 'x' or 'X' && char.IsAsciiHexDigit(s[i + 2]))
            {
                radix = 16;
                i += 2;
            }
            else
            {
                radix = 8;
            }
        }
        ulong magnitude = 0;
        var overflow = false;
        for (; i < s.Length; i++)
        {
            var d = char.IsAsciiDigit(s[i]) ? s[i] - '0'
                : char.IsAsciiHexDigit(s[i]) ? (char.ToLowerInvariant(s[i]) - 'a') + 10
                : 99;
            if (d >= radix)
            {
                break;
            }
            if (magnitude > (ulong.MaxValue - (ulong)d) / (ulong)radix)
            {
                overflow = true;
            }
            else
            {
                magnitude = (magnitude * (ulong)radix) + (ulong)d;
            }
        }
        if (negative)
        {
            return overflow || magnitude > (ulong)long.MaxValue + 1 ? long.MinValue : unchecked(-(long)magnitude);
        }
        return overflow || magnitude > long.MaxValue ? long.MaxValue : (long)magnitude;
    }
}
