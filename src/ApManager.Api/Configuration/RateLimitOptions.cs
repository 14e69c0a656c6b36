namespace ApManager.Api.Configuration;

/// <summary>Section <c>ApManager:RateLimit</c>: the per-caller token bucket for mutations.</summary>
public sealed class RateLimitOptions : ISettingsSection<RateLimits>
{
    public const int Max = 1_000_000;

    public static string Section => "ApManager:RateLimit";

    /// <summary>Tokens added per second, default 50; 0 turns the limit off.</summary>
    public string? MutationsPerSecond { get; set; }

    /// <summary>The bucket's size, default 100 (0 acts as 1).</summary>
    public string? Burst { get; set; }

    public RateLimits Read(SettingErrors errors) => new(
        errors.Int($"{Section}:{nameof(MutationsPerSecond)}", MutationsPerSecond, 50, 0, Max),
        errors.Int($"{Section}:{nameof(Burst)}", Burst, 100, 0, Max));
}

public sealed record RateLimits(int MutationsPerSecond, int Burst);
