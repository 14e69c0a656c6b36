namespace ApManager.Api.Configuration;

/// <summary>Section <c>ApManager:Metrics</c>: whether <c>GET /metrics</c> is served and to whom.</summary>
public sealed class MetricsOptions : ISettingsSection<MetricsSettings>
{
    public static string Section => "ApManager:Metrics";

    /// <summary>true (the default) or false, which removes the endpoint.</summary>
    public string? Enabled { get; set; }

    /// <summary>false (the default, anonymous) or true, which needs a viewer.</summary>
    public string? RequireAuth { get; set; }

    public MetricsSettings Read(SettingErrors errors) => new(
        errors.Bool($"{Section}:{nameof(Enabled)}", Enabled, true),
        errors.Bool($"{Section}:{nameof(RequireAuth)}", RequireAuth, false));
}

public sealed record MetricsSettings(bool Enabled, bool RequireAuth);
