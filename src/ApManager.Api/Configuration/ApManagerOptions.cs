using ApManager.Core.Host;
using ApManager.Core.State;

namespace ApManager.Api.Configuration;

/// <summary>Section <c>ApManager</c>: the state a new store starts from and the matrix device cap.</summary>
public sealed class ApManagerOptions : ISettingsSection<ApManagerSettings>
{
    public static string Section => "ApManager";

    /// <summary><c>demo</c> (the default) or <c>none</c>, any case.</summary>
    public string? Seed { get; set; }

    /// <summary>1..65536 (the kernel's limit, the default).</summary>
    public string? MaxMdevs { get; set; }

    public ApManagerSettings Read(SettingErrors errors)
    {
        var seed = SeedKind.Demo;
        var seedText = Seed ?? "demo";
        if (seedText.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            seed = SeedKind.None;
        }
        else if (!seedText.Equals("demo", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{Section}:Seed = '{seedText}': use 'demo' or 'none'.");
        }
        var maxMdevs = errors.Int($"{Section}:{nameof(MaxMdevs)}", MaxMdevs, ApSystem.DefaultMaxMdevs, 1, ApSystem.DefaultMaxMdevs);
        return new ApManagerSettings(seed, maxMdevs);
    }
}

public sealed record ApManagerSettings(SeedKind Seed, int MaxMdevs);
