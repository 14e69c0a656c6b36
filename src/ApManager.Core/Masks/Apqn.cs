using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ApManager.Core.Masks;

/// <summary>
/// One AP queue number: adapter (APID) and domain (APQI), both 0..255.
/// Text form is the kernel's <c>%02x.%04x</c>, e.g. <c>05.0004</c>.
/// </summary>
public readonly record struct Apqn(byte Adapter, byte Domain) : IComparable<Apqn>
{
    /// <summary>Ordering by adapter, then domain: the order every list in ApManager uses.</summary>
    public int CompareTo(Apqn other) => Key.CompareTo(other.Key);

    internal int Key => (Adapter << 8) | Domain;

    public override string ToString() => string.Create(7, this, static (span, q) =>
    {
        q.Adapter.TryFormat(span, out _, "x2", CultureInfo.InvariantCulture);
        span[2] = '.';
        ((int)q.Domain).TryFormat(span[3..], out _, "x4", CultureInfo.InvariantCulture);
    });

    /// <summary>
    /// Parses exactly two hex digits, a dot and four hex digits (either case); the domain part
    /// must not exceed <c>00ff</c>.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Apqn apqn)
    {
        apqn = default;
        if (text is null || text.Length != 7 || text[2] != '.')
        {
            return false;
        }
        for (var i = 0; i < 7; i++)
        {
            if (i != 2 && !char.IsAsciiHexDigit(text[i]))
            {
                return false;
            }
        }
        var adapter = int.Parse(text.AsSpan(0, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var domain = int.Parse(text.AsSpan(3, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (domain > 0xff)
        {
            return false;
        }
        apqn = new Apqn((byte)adapter, (byte)domain);
        return true;
    }

    public static Apqn Parse(string text) =>
        TryParse(text, out var apqn) ? apqn : throw new FormatException($"'{text}' is not an APQN (expected aa.dddd).");

    public static bool operator <(Apqn left, Apqn right) => left.CompareTo(right) < 0;
    public static bool operator >(Apqn left, Apqn right) => left.CompareTo(right) > 0;
    public static bool operator <=(Apqn left, Apqn right) => left.CompareTo(right) <= 0;
    public static bool operator >=(Apqn left, Apqn right) => left.CompareTo(right) >= 0;
}
