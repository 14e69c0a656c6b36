using System.Globalization;
using ApManager.Core.Masks;

namespace ApManager.Core.Tests.Support;

/// <summary>
/// Expected masks written independently of the parser under test: <c>Z</c> = 64 zeros, <c>F</c> =
/// 64 <c>f</c>, anything else = the hex digits shown, then zeros to 64 digits (SPEC §2.6 notation).
/// </summary>
internal static class MaskText
{
    public static readonly string Z = "0x" + new string('0', 64);
    public static readonly string F = "0x" + new string('f', 64);

    /// <summary>The 66-character show form of the given leading digits.</summary>
    public static string Hex(string leadingDigits)
    {
        if (leadingDigits.Length > 64)
        {
            throw new ArgumentException("At most 64 digits.", nameof(leadingDigits));
        }
        return "0x" + leadingDigits.PadRight(64, '0');
    }

    /// <summary>"Z", "F", or leading digits; returns the mask without using <see cref="MaskParser"/>.</summary>
    public static ApMask Mask(string spec)
    {
        var text = Expand(spec);
        var w = new ulong[4];
        for (var i = 0; i < 4; i++)
        {
            w[i] = ulong.Parse(text.AsSpan(2 + (16 * i), 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }
        return ApMask.FromWords(w[0], w[1], w[2], w[3]);
    }

    /// <summary>Expands "Z"/"F"/leading digits to the 66-character form (string work only).</summary>
    public static string Expand(string spec) => spec switch
    {
        "Z" => Z,
        "F" => F,
        _ when spec.StartsWith("0x", StringComparison.Ordinal) && spec.Length == 66 => spec,
        _ => Hex(spec),
    };
}
