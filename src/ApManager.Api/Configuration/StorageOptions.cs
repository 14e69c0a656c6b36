namespace ApManager.Api.Configuration;

/// <summary>Section <c>ApManager:Storage</c>: where the state is kept.</summary>
public sealed class StorageOptions : ISettingsSection<StorageSettings>
{
    public const string DefaultPath = "./data/apmanager.db";

    public static string Section => "ApManager:Storage";

    /// <summary><c>sqlite</c> (durable, the default) or <c>memory</c>, any case.</summary>
    public string? Mode { get; set; }

    /// <summary>The SQLite file (sqlite mode only); generated key files sit next to it.</summary>
    public string? Path { get; set; }

    public StorageSettings Read(SettingErrors errors)
    {
        var mode = Mode ?? "sqlite";
        if (mode.Equals("memory", StringComparison.OrdinalIgnoreCase))
        {
            return new StorageSettings(null);
        }
        if (!mode.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{Section}:Mode = '{mode}': use 'sqlite' (durable, the default) or 'memory' (nothing survives a restart).");
            return new StorageSettings(null);
        }
        var path = Path ?? DefaultPath;
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{Section}:Path is empty: give a file path for the database.");
        }
        return new StorageSettings(path);
    }
}

/// <summary>The SQLite file, or null in memory mode.</summary>
public sealed record StorageSettings(string? Path);
