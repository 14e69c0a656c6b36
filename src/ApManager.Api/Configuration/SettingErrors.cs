using System.Globalization;

namespace ApManager.Api.Configuration;

/// <summary>
/// Reads raw setting text and collects one message per bad value, each naming the full key and
/// saying what to use instead. A missing value (null) takes the default; an empty one is an error.
/// </summary>
public sealed class SettingErrors
{
    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Messages => _messages;

    public int Count => _messages.Count;

    public void Add(string message) => _messages.Add(message);

    public int Int(string key, string? text, int fallback, int min, int max)
    {
        if (text is null)
        {
            return fallback;
        }
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }
        Add($"{key} = '{text}': use an integer {min}..{max}.");
        return fallback;
    }

    public bool Bool(string key, string? text, bool fallback)
    {
        if (text is null)
        {
            return fallback;
        }
        if (bool.TryParse(text, out var value))
        {
            return value;
        }
        Add($"{key} = '{text}': use true or false.");
        return fallback;
    }

    /// <summary>Free text where blank means "not given" (claim names, audiences, URLs).</summary>
    public static string? Given(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>The exception that stops the start: every message on a line of its own.</summary>
    public static InvalidOperationException Invalid(IEnumerable<string> messages, Exception? inner = null) =>
        new("Invalid ApManager configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", messages), inner);
}
