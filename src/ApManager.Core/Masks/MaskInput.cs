namespace ApManager.Core.Masks;

/// <summary>A mask write as received: the bytes the parser reads and the text shown back.</summary>
public readonly record struct MaskInput(string Text, byte[] Bytes)
{
    public static MaskInput FromString(string text) => new(text, System.Text.Encoding.UTF8.GetBytes(text));
}
