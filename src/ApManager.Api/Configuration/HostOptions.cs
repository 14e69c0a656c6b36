using ApManager.Core.Host;
using ApManager.Core.Masks;

namespace ApManager.Api.Configuration;

/// <summary>
/// Section <c>ApManager:Host</c>: which host ApManager manages (SPEC §11.1) and, for the simulated
/// one, its id maxima, adapters and domains (SPEC §7).
/// </summary>
public sealed class HostOptions : ISettingsSection<HostSettings>
{
    public static string Section => "ApManager:Host";

    /// <summary><c>simulated</c> (the default) or <c>sysfs</c>, any case.</summary>
    public string? Mode { get; set; }

    /// <summary>sysfs mode: the prefix of every host path (<c>/sys</c>, <c>/etc</c>, <c>/run</c>), default <c>/</c>.</summary>
    public string? Root { get; set; }

    /// <summary>sysfs mode: seconds between reads of the host, 0.2..60, default 2.</summary>
    public string? PollSeconds { get; set; }

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

    /// <summary>The host settings, or null when a value is bad.</summary>
    public HostSettings? Read(SettingErrors errors)
    {
        var before = errors.Count;
        var modeText = Mode ?? "simulated";
        var mode = HostKind.Simulated;
        if (modeText.Equals("sysfs", StringComparison.OrdinalIgnoreCase))
        {
            mode = HostKind.Sysfs;
        }
        else if (!modeText.Equals("simulated", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{Section}:{nameof(Mode)} = '{modeText}': use 'simulated' (the demo host, the default) or 'sysfs' (this machine's AP bus).");
        }
        var root = Root ?? "/";
        if (string.IsNullOrWhiteSpace(root) || !System.IO.Path.IsPathRooted(root))
        {
            errors.Add($"{Section}:{nameof(Root)} = '{root}': use an absolute directory, '/' on a real host.");
        }
        var poll = 2.0;
        if (PollSeconds is { } pollText &&
            (!double.TryParse(pollText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out poll) || poll < 0.2 || poll > 60))
        {
            errors.Add($"{Section}:{nameof(PollSeconds)} = '{pollText}': use a number of seconds 0.2..60 (default 2).");
        }
        var ignored = new List<string>();
        if (mode == HostKind.Sysfs)
        {
            // The real host reports its own configuration: the simulated topology keys do not apply.
            ignored.AddRange(new[] { (nameof(MaxAdapterId), MaxAdapterId is not null), (nameof(MaxDomainId), MaxDomainId is not null),
                (nameof(Adapters), Adapters.Count > 0), (nameof(UsageDomains), UsageDomains is not null), (nameof(ControlDomains), ControlDomains is not null) }
                .Where(k => k.Item2).Select(k => $"{Section}:{k.Item1}"));
            return errors.Count > before ? null : new HostSettings(mode, Normalize(root), TimeSpan.FromSeconds(poll), HostTopology.Demo, ignored);
        }
        if (Root is not null)
        {
            ignored.Add($"{Section}:{nameof(Root)}");
        }
        if (PollSeconds is not null)
        {
            ignored.Add($"{Section}:{nameof(PollSeconds)}");
        }
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
            return new HostSettings(mode, Normalize(root), TimeSpan.FromSeconds(poll), new HostTopology(maxAdapter, maxDomain, adapters, usage, control), ignored);
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

    private static string Normalize(string root) => root.EndsWith('/') ? root : root + "/";
}

/// <summary>The host to manage: its kind, the root of its paths and the poll interval (sysfs), the topology (simulated), and keys given that do not apply.</summary>
public sealed record HostSettings(HostKind Mode, string Root, TimeSpan Poll, HostTopology Topology, IReadOnlyList<string> Ignored);
