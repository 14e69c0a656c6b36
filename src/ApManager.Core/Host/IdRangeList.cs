using System.Globalization;
using ApManager.Core.Masks;

namespace ApManager.Core.Host;

/// <summary>Parses the configuration syntax for domain lists: decimal <c>N</c> or <c>N-M</c>, comma separated.</summary>
public static class IdRangeList
{
    public static bool TryParse(string? text, int max, out ApMask ids, out string? error)
    {
        ids = ApMask.Empty;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var parts = raw.Split('-', StringSplitOptions.TrimEntries);
            if (parts.Length > 2 || !TryId(parts[0], out var first) || !TryId(parts[^1], out var last))
            {
                error = $"'{raw}' is not N or N-M";
                return false;
            }
            if (first > last)
            {
                error = $"'{raw}': {first} > {last}";
                return false;
            }
            if (last > max)
            {
                error = $"'{raw}' exceeds the maximum id {max}";
                return false;
            }
            ids |= ApMask.Range(first, last);
        }
        return true;
    }

    private static bool TryId(string s, out int id) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id <= 255;
}
