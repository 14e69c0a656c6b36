using System.ComponentModel;
using System.Globalization;

namespace ApManager.Api.Configuration;

/// <summary>
/// A setting given either as list items (<c>Key:0</c>, <c>Key:1</c>, a JSON array) or as one value
/// (<c>Key=a,b</c>, the natural form of an environment variable). The binder turns a single value
/// into this type through its converter and list items through the list itself.
/// </summary>
[TypeConverter(typeof(Converter))]
public sealed class SettingList : List<string>
{
    /// <summary>The single value, when the setting was given as one; null for list items.</summary>
    public string? Value { get; private init; }

    /// <summary>The whole setting as one comma-separated text.</summary>
    public string Text => Value ?? string.Join(',', this);

    /// <summary>The entries: the list items, or the single value split at commas (blank entries dropped).</summary>
    public IReadOnlyList<string> Entries => Value is null ? this : Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal sealed class Converter : TypeConverter
    {
        public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

        public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
            new SettingList { Value = (string)value };
    }
}
