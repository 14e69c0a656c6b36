using System.Globalization;
using System.Text;
using ApManager.Api.Tests.Stress;
using ApManager.Core.Masks;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>A generated mask write and, where the generator knows it, what it does to the mask it is written to.</summary>
public readonly record struct HostileMask(byte[] Bytes, Func<ApMask, ApMask>? Model);

/// <summary>
/// Mask writes in kernel syntax: a corpus of edge cases, valid absolute and relative masks whose
/// effect is known, runs around the 4096-byte limit, then possibly mutated byte by byte.
/// </summary>
public sealed class HostileMasks(Random rng)
{
    private readonly Random _rng = rng;

    private static readonly string[] MaskCorpus =
    [
        "", "\n", "0x", "x", "0x\n", "+5", "+6", "+5,+6", "-7", "+7", "-3", "+0-255", "-0-255", "-0-255,+255", "+0x10000000000000005",
        "+18446744073709551616", "+18446744073709551615", "+4294967296", "+2147483648", "+0x100000000", "+2\0+zz", "0X8", "x8\n",
        "+08", "+09", "+07,+010", "+5-2", "+1-3-2", "+1-2-3", "\0", "\0junk", "+", "-", "+,", "++5", "+-5", "+ 5", "+5\r\n",
        "+5;+6", "+5 ,+6", "0x" + new string('f', 64), "0x" + new string('0', 65), "0x" + new string('f', 64) + "\n\n",
        "0xf9" + new string('f', 62), " 0x1", "\t+1", "+0x", "+0xg", "+0X1f", "-0x0-0xff", "+255", "+256", "-256", "+1-256",
        "+0-0x" + new string('f', 70), "+0x" + new string('1', 70), "+0" + new string('7', 40), "+" + new string('9', 80),
        "0x1\0\n\n\n", "+1\n\n,,\n,+2", "+1,,,", ",+1", "\n+1", "0x\r", "x\n",
    ];

    private static readonly string[] RelativeSeparators = [",", "\n", ",,", ",\n", "\n\n", string.Empty];

    /// <summary>A mask write: valid kernel syntax, a corpus case or a long run, then possibly mutated.</summary>
    public HostileMask Next()
    {
        var roll = _rng.NextDouble();
        (byte[] Bytes, Func<ApMask, ApMask>? Model) generated = roll switch
        {
            < 0.3 => (Encoding.UTF8.GetBytes(_rng.Pick(MaskCorpus)), null),
            < 0.5 => Absolute(),
            < 0.85 => RelativeMask(),
            _ => (LongRun(), null),
        };
        var (bytes, model) = generated;
        if (_rng.Chance(0.45))
        {
            var n = _rng.Next(1, 5);
            for (var i = 0; i < n; i++)
            {
                bytes = MutateBytes(bytes);
            }
            model = null;
        }
        return new HostileMask(bytes, model);
    }

    /// <summary>Up to 64 hex digits, with or without the 0x prefix: the result is exactly those bits.</summary>
    private (byte[], Func<ApMask, ApMask>?) Absolute()
    {
        var digits = _rng.Next(0, 65);
        var b = new StringBuilder(_rng.Chance(0.8) ? "0x" : "x");
        var result = ApMask.Empty;
        for (var i = 0; i < digits; i++)
        {
            var c = "0123456789abcdefABCDEF"[_rng.Next(22)];
            b.Append(c);
            var value = Convert.ToInt32(c.ToString(), 16);
            for (var j = 0; j < 4; j++)
            {
                if ((value & (8 >> j)) != 0)
                {
                    result = result.With((4 * i) + j);
                }
            }
        }
        if (_rng.Chance(0.3))
        {
            b.Append('\n');
        }
        return (Encoding.UTF8.GetBytes(b.ToString()), _ => result);
    }

    /// <summary>Relative terms applied in order to the current mask, when the generator can tell what they mean.</summary>
    private (byte[], Func<ApMask, ApMask>?) RelativeMask()
    {
        var (text, terms) = Relative(_rng.Next(1, 7));
        if (terms is null)
        {
            return (Encoding.UTF8.GetBytes(text), null);
        }
        return (Encoding.UTF8.GetBytes(text), current =>
        {
            foreach (var (set, a, z) in terms)
            {
                for (var bit = a; bit <= z; bit++)
                {
                    current = set ? current.With(bit) : current.Without(bit);
                }
            }
            return current;
        });
    }

    /// <summary>Relative terms; the terms are null when an empty separator makes a '-' term read as a range.</summary>
    private (string Text, List<(bool Set, int A, int Z)>? Terms) Relative(int count)
    {
        var b = new StringBuilder();
        List<(bool, int, int)>? terms = [];
        var glued = false;
        for (var t = 0; t < count; t++)
        {
            var set = _rng.Chance(0.5);
            if (glued && !set)
            {
                terms = null;
            }
            b.Append(set ? '+' : '-');
            var a = _rng.Chance(0.7) ? _rng.Next(0, 16) : _rng.Next(0, 256);
            var z = a;
            b.Append(Number(a));
            if (_rng.Chance(0.3))
            {
                z = Math.Min(255, a + _rng.Next(0, 40));
                b.Append('-').Append(Number(z));
            }
            terms?.Add((set, a, z));
            var separator = _rng.Pick(RelativeSeparators);
            glued = separator.Length == 0;
            b.Append(separator);
        }
        return (b.ToString(), terms);
    }

    private string Number(int n) => _rng.Next(5) switch
    {
        0 => "0x" + n.ToString(_rng.Chance(0.5) ? "x" : "X", CultureInfo.InvariantCulture),
        1 => "0" + Convert.ToString(n, 8),
        _ => n.ToString(CultureInfo.InvariantCulture),
    };

    private byte[] LongRun()
    {
        var length = _rng.Pick<int>([4095, 4096, 4097, 4098, 8191, 8192, 8193, 9000, 20000, 70000]) + (_rng.Chance(0.3) ? _rng.Next(-3, 4) : 0);
        var unit = _rng.Pick<string>(["+1,", ",", "\n", "0", "f", "+0x1", "-255,", "+00000000", "+18446744073709551616,"]);
        var b = new StringBuilder(length + unit.Length);
        if (unit is "0" or "f")
        {
            b.Append("0x");
        }
        else if (unit is "," or "\n")
        {
            b.Append("+1");
        }
        while (b.Length < length)
        {
            b.Append(unit);
        }
        b.Length = length;
        return Encoding.UTF8.GetBytes(b.ToString());
    }

    private byte[] MutateBytes(byte[] input)
    {
        var list = new List<byte>(input);
        var at = list.Count == 0 ? 0 : _rng.Next(list.Count + 1);
        switch (_rng.Next(9))
        {
            case 0 when list.Count > 0:
                var i = _rng.Next(list.Count);
                list[i] ^= (byte)(1 << _rng.Next(8));
                break;
            case 1:
                list.Insert(at, _rng.Pick<byte>([0, (byte)'\r', (byte)'\t', 0x7f, 0x1b, 0x01, (byte)'\n', (byte)' ', 0x0b, 0x0c]));
                break;
            case 2:
                list.InsertRange(at, _rng.Pick<byte[]>([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc3, 0xa9], [0xef, 0xbb, 0xbf]]));
                break;
            case 3 when list.Count > 0:
                list.RemoveAt(_rng.Next(list.Count));
                break;
            case 4:
                list.InsertRange(at, Encoding.ASCII.GetBytes(_rng.Pick<string>(
                    ["+18446744073709551616", "18446744073709551616", "0x" + new string('f', 70), "4294967296", "+0x100000000", "-99999999999999999999999"])));
                break;
            case 5 when list.Count > 0:
                list.RemoveRange(at == list.Count ? list.Count - 1 : at, 1);
                list.InsertRange(0, list.GetRange(0, Math.Min(list.Count, 8)));
                break;
            case 6 when list.Count > 1:
                var keep = _rng.Next(1, list.Count);
                list.RemoveRange(keep, list.Count - keep);
                break;
            case 7:
                list.InsertRange(at, Encoding.ASCII.GetBytes(_rng.Pick<string>(["+", "-", ",", "x", "0x", "-0-", "\0+5"])));
                break;
            default:
                list.Add((byte)_rng.Next(256));
                break;
        }
        return [.. list];
    }
}
