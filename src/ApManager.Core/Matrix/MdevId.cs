using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace ApManager.Core.Matrix;

/// <summary>
/// A matrix device's UUID. Held as two big-endian words so that ordering and equality are cheap
/// and the order is that of the canonical lower-case text.
/// </summary>
public readonly record struct MdevId(ulong Hi, ulong Lo) : IComparable<MdevId>
{
    public static MdevId FromGuid(Guid guid)
    {
        Span<byte> bytes = stackalloc byte[16];
        guid.TryWriteBytes(bytes, bigEndian: true, out _);
        return new MdevId(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    public Guid ToGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Hi);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Lo);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>A random version-4 UUID, as mdevctl generates one.</summary>
    public static MdevId NewRandom() => FromGuid(Guid.NewGuid());

    /// <summary>Accepts the 8-4-4-4-12 form in either case.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out MdevId id)
    {
        id = default;
        if (text is null || text.Length != 36 || !Guid.TryParseExact(text, "D", out var guid))
        {
            return false;
        }
        id = FromGuid(guid);
        return true;
    }

    public static MdevId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a UUID.");

    public int CompareTo(MdevId other)
    {
        var c = Hi.CompareTo(other.Hi);
        return c != 0 ? c : Lo.CompareTo(other.Lo);
    }

    /// <summary>Canonical lower-case 8-4-4-4-12.</summary>
    public override string ToString() => ToGuid().ToString("D");
}
