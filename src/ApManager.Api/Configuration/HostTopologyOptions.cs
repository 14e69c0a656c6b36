using ApManager.Core.Host;
using ApManager.Core.Masks;

namespace ApManager.Api.Configuration;

/// <summary>Section <c>ApManager:Host</c>: the simulated machine's id maxima, adapters and domains.</summary>
public sealed class HostTopologyOptions : ISettingsSection<HostTopology>
{
    public static string Section => "ApManager:Host";

    /// <summary>0..255, default 63.</summary>
    public string? MaxAdapterId { get; set; }

    /// <summary>0..255, default 84.</summary>
    public string? MaxDomainId { get; set; }

    /// <summary>Keyed by the configured index, so a message names the key as written; a configured list replaces the demo cards whole.</summary>
    public Dictionary<string, AdapterOptions> Adapters { get; set; } = [];

    /// <summary><c>N</c> or <c>N-M</c> entries, default <c>4,5,6,71,72</c>.</summary>
    public SettingList? UsageDomains { get; set; }

    /// <summary>Same syntax, default <c>0-84</c>.</summary>
    public SettingList? ControlDomains { get; set; }

    /// <summary>The topology, or null when a value is bad.</summary>
    public HostTopology? Read(SettingErrors errors)
    {
        var before = errors.Count;
        var maxAdapter = errors.Int($"{Section}:{nameof(MaxAdapterId)}", MaxAdapterId, 63, 0, 255);
        var maxDomain = errors.Int($"{Section}:{nameof(MaxDomainId)}", MaxDomainId, 84, 0, 255);
        var usage = ReadDomains(nameof(UsageDomains), UsageDomains, "4,5,6,71,72", maxDomain, errors);
        var control = ReadDomains(nameof(ControlDomains), ControlDomains, "0-84", maxDomain, errors);
        var adapters = ReadAdapters(maxAdapter, errors);
        if (errors.Count > before)
        {
            return null;
        }
        try
        {
            return new HostTopology(maxAdapter, maxDomain, adapters, usage, control);
        }
        catch (ArgumentException ex)
        {
            errors.Add($"{Section}: {ex.Message}");
            return null;
        }
    }

    private static ApMask ReadDomains(string key, SettingList? setting, string fallback, int max, SettingErrors errors)
    {
        var text = setting?.Text ?? fallback;
        if (!IdRangeList.TryParse(text, max, out var ids, out var error))
        {
            errors.Add($"{Section}:{key} = '{text}': {error} (entries are decimal N or N-M, at most MaxDomainId {max}).");
        }
        return ids;
    }

    private List<AdapterSpec> ReadAdapters(int maxAdapterId, SettingErrors errors)
    {
        if (Adapters.Count == 0)
        {
            return [.. HostTopology.Demo.Adapters];
        }
        var seen = new HashSet<int>();
        var result = new List<AdapterSpec>();
        foreach (var (index, adapter) in Adapters)
        {
            if (adapter.Read($"{Section}:{nameof(Adapters)}:{index}", maxAdapterId, seen, errors) is { } spec)
            {
                result.Add(spec);
            }
        }
        return result;
    }
}
