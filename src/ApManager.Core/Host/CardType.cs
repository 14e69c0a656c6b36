using System.Diagnostics.CodeAnalysis;

namespace ApManager.Core.Host;

/// <summary>The mode an adapter runs in, from the type's mode letter.</summary>
public enum CardMode
{
    /// <summary><c>A</c>: accelerator.</summary>
    Accel,

    /// <summary><c>C</c>: CCA coprocessor.</summary>
    Cca,

    /// <summary><c>P</c>: EP11 coprocessor.</summary>
    Ep11,
}

/// <summary>A crypto card type <c>CEX&lt;n&gt;&lt;m&gt;</c>: generation 4..8 and a mode letter.</summary>
public readonly record struct CardType(int Generation, CardMode Mode)
{
    public const int MinGeneration = 4;
    public const int MaxGeneration = 8;

    /// <summary>vfio_ap accepts CEX4..CEX8 queues only.</summary>
    public bool IsVfioApCapable => Generation is >= MinGeneration and <= MaxGeneration;

    public override string ToString() => $"CEX{Generation}{ModeLetter(Mode)}";

    public static char ModeLetter(CardMode mode) => mode switch
    {
        CardMode.Accel => 'A',
        CardMode.Cca => 'C',
        _ => 'P',
    };

    public static string ModeName(CardMode mode) => mode switch
    {
        CardMode.Accel => "accel",
        CardMode.Cca => "cca",
        _ => "ep11",
    };

    public static bool TryParseMode(string? text, out CardMode mode)
    {
        mode = default;
        switch (text?.ToLowerInvariant())
        {
            case "accel": mode = CardMode.Accel; return true;
            case "cca": mode = CardMode.Cca; return true;
            case "ep11": mode = CardMode.Ep11; return true;
            default: return false;
        }
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out CardType type)
    {
        type = default;
        if (text is null || text.Length != 5 || !text.StartsWith("CEX", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var gen = text[3] - '0';
        if (gen is < MinGeneration or > MaxGeneration)
        {
            return false;
        }
        CardMode? mode = char.ToUpperInvariant(text[4]) switch
        {
            'A' => CardMode.Accel,
            'C' => CardMode.Cca,
            'P' => CardMode.Ep11,
            _ => null,
        };
        if (mode is null)
        {
            return false;
        }
        type = new CardType(gen, mode.Value);
        return true;
    }
}
