using ApManager.Core.Refusals;

namespace ApManager.Core.Matrix;

/// <summary>The rules for matrix device names (ApManager's metadata) and guest names (SPEC §5, §6).</summary>
public static class Names
{
    public const int MaxLength = 64;

    /// <summary>At most 64 characters, no control characters; null (no name) is fine.</summary>
    public static InvalidInput? CheckDeviceName(string? name)
    {
        if (name is null)
        {
            return null;
        }
        if (name.Length > MaxLength)
        {
            return new InvalidInput("name", $"A matrix device name has at most {MaxLength} characters.");
        }
        return name.Any(char.IsControl) ? new InvalidInput("name", "A matrix device name must not contain control characters.") : null;
    }

    /// <summary>1 to 64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit.</summary>
    public static InvalidInput? CheckGuestName(string? guest)
    {
        if (string.IsNullOrEmpty(guest) || guest.Length > MaxLength || !char.IsAsciiLetterOrDigit(guest[0]) ||
            !guest.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            return new InvalidInput("name", "A guest name has 1 to 64 characters of A-Z a-z 0-9 . _ - and starts with a letter or digit.");
        }
        return null;
    }
}
