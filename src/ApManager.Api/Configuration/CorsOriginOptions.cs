namespace ApManager.Api.Configuration;

/// <summary>Section <c>ApManager:Cors</c>: the origins whose pages may call the API from a browser.</summary>
public sealed class CorsOriginOptions : ISettingsSection<CorsOrigins>
{
    public static string Section => "ApManager:Cors";

    /// <summary>List items or one comma-separated value; each an origin such as <c>https://hmc.example</c>.</summary>
    public SettingList? Origins { get; set; }

    public CorsOrigins Read(SettingErrors errors)
    {
        var origins = Origins?.Entries ?? [];
        foreach (var origin in origins.Where(o => !IsOrigin(o)))
        {
            errors.Add($"{Section}:{nameof(Origins)} = '{origin}': use an origin as a browser sends it: http(s)://host[:port], no path, such as https://hmc.example.");
        }
        return new CorsOrigins(origins);
    }

    // A browser's Origin header is scheme://host[:port] and nothing else; anything more never matches.
    private static bool IsOrigin(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.UserInfo.Length == 0 &&
        text.Equals(uri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
}

public sealed record CorsOrigins(IReadOnlyList<string> Origins);
