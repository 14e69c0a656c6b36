using System.Reflection;

namespace ApManager.Api.Configuration;

/// <summary>
/// Reports keys that no options property binds, so a typo such as <c>MutationsPerSec</c> stops the
/// start instead of silently doing nothing, and single values where a section belongs. Messages
/// name the key only: a misspelt key may hold a secret.
/// </summary>
internal static class UnknownKeys
{
    private static readonly IReadOnlySet<string> Nothing = new HashSet<string>();

    // boundElsewhere: full keys of sections that other options types bind (ApManager:Host inside ApManager).
    public static void Report(IConfigurationSection section, Type optionsType, IReadOnlySet<string> boundElsewhere, SettingErrors errors)
    {
        var properties = optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        var subsections = boundElsewhere.Where(path => string.Equals(ConfigurationPath.GetParentPath(path), section.Path, StringComparison.OrdinalIgnoreCase));
        var names = string.Join(", ", properties.Keys.Concat(subsections.Select(ConfigurationPath.GetSectionKey)));
        if (section.Value is { Length: > 0 })
        {
            errors.Add($"{section.Path} must be a section with {names}, not a single value.");
        }
        foreach (var child in section.GetChildren())
        {
            if (boundElsewhere.Contains(child.Path))
            {
                continue;
            }
            if (!properties.TryGetValue(child.Key, out var property))
            {
                errors.Add($"{child.Path} is not a setting: {section.Path} takes {names}.");
                continue;
            }
            ReportWithin(child, property.PropertyType, errors);
        }
    }

    private static void ReportWithin(IConfigurationSection section, Type type, SettingErrors errors)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            var itemType = type.GetGenericArguments()[1];
            if (section.Value is { Length: > 0 })
            {
                errors.Add($"{section.Path} must be a list ({section.Path}:0:…), not a single value.");
            }
            foreach (var item in section.GetChildren())
            {
                Report(item, itemType, Nothing, errors);
            }
        }
        else if (type.IsClass && type != typeof(string) && type != typeof(SettingList))
        {
            Report(section, type, Nothing, errors);
        }
    }
}
