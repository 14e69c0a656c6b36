using System.Text.Json.Nodes;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// The mask bits only one client writes, and how it last wrote them: apmask bit 8+c (adapter 8+c,
/// which devices compete for) and 64+c (above MaxAdapterId), aqmask bit 20+c for c &lt; 12, and for
/// the last client bit 250, which the test driver objects to.
/// </summary>
public sealed class OwnMaskBits(int index)
{
    public int[] ApBits { get; } = [8 + index, 64 + index];

    public int? AqBit { get; } = index < 12 ? 20 + index : null;

    /// <summary>Whether each of <see cref="ApBits"/> is set: 8+c was freed at setup, 64+c starts set.</summary>
    public bool[] ApSet { get; } = [false, true];

    public bool AqSet { get; set; } = true;

    public bool ObjectedSet { get; set; }

    /// <summary>Whether bit <paramref name="bit"/> of the mask member <paramref name="member"/> (0x + 64 hex digits) is set.</summary>
    public static bool Bit(JsonNode? body, string member, int bit)
    {
        var text = (string?)body?[member];
        return text is not null && text.Length == 66 &&
            (Convert.ToInt32(text[2 + (bit / 4)].ToString(), 16) & (8 >> (bit % 4))) != 0;
    }

    /// <summary>Read-your-writes: the bits only this client writes read as it last wrote them.</summary>
    public bool ReadBack(JsonNode? body) =>
        Bit(body, "apmask", ApBits[0]) == ApSet[0] && Bit(body, "apmask", ApBits[1]) == ApSet[1] &&
        (AqBit is not { } d || Bit(body, "aqmask", d) == AqSet);

    public override string ToString() => $"own apmask bits {ApBits[0]}={ApSet[0]} {ApBits[1]}={ApSet[1]}, aqmask bit {AqBit}={AqSet}";
}
