using System.Globalization;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.State;

namespace ApManager.Api.Configuration;

/// <summary>
/// Reads section <c>ApManager</c> (SPEC §7) into a simulated host. Every bad value is reported with
/// its key; a configured list replaces the default list whole.
/// </summary>
public static class ApManagerConfiguration
{
    public const string Section = "ApManager";

    /// <summary>The validated settings; StoragePath is null for the in-memory mode.</summary>
    public sealed record Settings(HostTopology Topology, SeedKind Seed, int MaxMdevs, string? StoragePath);

    public const string DefaultStoragePath = "./data/apmanager.db";

    public static Settings Load(IConfiguration configuration)
    {
        var errors = new List<string>();
        var settings = TryLoad(configuration.GetSection(Section), errors);
        if (errors.Count > 0 || settings is null)
        {
            throw new InvalidOperationException("Invalid ApManager configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors));
        }
        return settings;
    }

    public static Settings? TryLoad(IConfigurationSection section, List<string> errors)
    {
        var seedText = section["Seed"] ?? "demo";
        SeedKind seed = SeedKind.Demo;
        if (seedText.Equals("demo", StringComparison.OrdinalIgnoreCase))
        {
            seed = SeedKind.Demo;
        }
        else if (seedText.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            seed = SeedKind.None;
        }
        else
        {
            errors.Add($"ApManager:Seed = '{seedText}': use 'demo' or 'none'.");
        }

        var maxMdevs = ReadInt(section, "MaxMdevs", ApSystem.DefaultMaxMdevs, 1, ApSystem.DefaultMaxMdevs, errors);
        var storage = section.GetSection("Storage");
        var mode = storage["Mode"] ?? "sqlite";
        string? storagePath = null;
        if (mode.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            storagePath = storage["Path"] ?? DefaultStoragePath;
            if (string.IsNullOrWhiteSpace(storagePath))
            {
                errors.Add($"{storage.Path}:Path is empty: give a file path for the database.");
            }
        }
        else if (!mode.Equals("memory", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{storage.Path}:Mode = '{mode}': use 'sqlite' (durable, the default) or 'memory' (nothing survives a restart).");
        }
        var host = section.GetSection("Host");
        var maxAdapter = ReadInt(host, "MaxAdapterId", 63, 0, 255, errors);
        var maxDomain = ReadInt(host, "MaxDomainId", 84, 0, 255, errors);
        var usage = ReadDomains(host, "UsageDomains", "4,5,6,71,72", maxDomain, errors);
        var control = ReadDomains(host, "ControlDomains", "0-84", maxDomain, errors);
        var adapters = ReadAdapters(host, maxAdapter, errors);
        if (errors.Count > 0)
        {
            return null;
        }
        try
        {
            var topology = new HostTopology(maxAdapter, maxDomain, adapters, usage, control);
            if (Seeds.CheckFits(seed, topology) is { } misfit)
            {
                errors.Add($"ApManager:Seed: {misfit}");
                return null;
            }
            return new Settings(topology, seed, maxMdevs, storagePath);
        }
        catch (ArgumentException ex)
        {
            errors.Add($"ApManager:Host: {ex.Message}");
            return null;
        }
    }

    private static int ReadInt(IConfigurationSection section, string key, int fallback, int min, int max, List<string> errors)
    {
        var text = section[key];
        if (text is null)
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            errors.Add($"{section.Path}:{key} = '{text}': use an integer {min}..{max}.");
            return fallback;
        }
        return value;
    }

    /// <summary>A list of <c>N</c>/<c>N-M</c> entries, as a scalar (<c>"4,5,71-72"</c>) or as list items.</summary>
    private static ApMask ReadDomains(IConfigurationSection section, string key, string fallback, int max, List<string> errors)
    {
        var node = section.GetSection(key);
        var text = node.Value ?? (node.GetChildren().Any() ? string.Join(',', node.GetChildren().Select(c => c.Value)) : fallback);
        if (!IdRangeList.TryParse(text, max, out var ids, out var error))
        {
            errors.Add($"{node.Path} = '{text}': {error} (entries are decimal N or N-M, at most MaxDomainId {max}).");
        }
        return ids;
    }

    private static List<AdapterSpec> ReadAdapters(IConfigurationSection host, int maxAdapter, List<string> errors)
    {
        var node = host.GetSection("Adapters");
        var items = node.GetChildren().ToList();
        if (items.Count == 0)
        {
            return [.. HostTopology.Demo.Adapters];
        }
        var result = new List<AdapterSpec>();
        var seen = new HashSet<int>();
        foreach (var item in items)
        {
            var path = item.Path;
            if (!int.TryParse(item["Id"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) || id < 0 || id > maxAdapter)
            {
                errors.Add($"{path}:Id = '{item["Id"]}': use an integer 0..{maxAdapter} (MaxAdapterId).");
                continue;
            }
            if (!seen.Add(id))
            {
                errors.Add($"{path}:Id = {id}: adapter ids must be unique.");
                continue;
            }
            if (!CardType.TryParse(item["Type"], out var type))
            {
                errors.Add($"{path}:Type = '{item["Type"]}': use CEX<n><m> with n 4..8 and m A (accel), C (cca) or P (ep11).");
                continue;
            }
            if (item["Mode"] is { } modeText && (!CardType.TryParseMode(modeText, out var mode) || mode != type.Mode))
            {
                errors.Add($"{path}:Mode = '{modeText}': must be {CardType.ModeName(type.Mode)} to match type {type}.");
                continue;
            }
            var configured = true;
            if (item["Configured"] is { } configuredText && !bool.TryParse(configuredText, out configured))
            {
                errors.Add($"{path}:Configured = '{configuredText}': use true or false.");
                continue;
            }
            result.Add(new AdapterSpec(id, type, configured));
        }
        return result;
    }
}
