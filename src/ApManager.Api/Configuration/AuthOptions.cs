using ApManager.Api.Access;

namespace ApManager.Api.Configuration;

/// <summary>Section <c>ApManager:Auth</c>: the credentials the service accepts.</summary>
public sealed class AuthOptions : ISettingsSection<AuthSettings>
{
    public static string Section => "ApManager:Auth";

    /// <summary>Keyed by the configured index, so a message names the key as written.</summary>
    public Dictionary<string, ApiKeyOptions> ApiKeys { get; set; } = [];

    public JwtOptions Jwt { get; set; } = new();

    public AuthSettings Read(SettingErrors errors)
    {
        var keys = new List<ApiKey>();
        foreach (var (index, key) in ApiKeys)
        {
            if (key.Read($"{Section}:{nameof(ApiKeys)}:{index}", errors) is { } apiKey)
            {
                keys.Add(apiKey);
            }
        }
        return new AuthSettings(keys, Jwt.Read($"{Section}:{nameof(Jwt)}", errors));
    }
}

/// <summary>The configured API keys and, when JWTs are accepted, how to validate them.</summary>
public sealed record AuthSettings(IReadOnlyList<ApiKey> ApiKeys, JwtSettings? Jwt)
{
    /// <summary>Whether anyone configured a credential (a generated first-run key does not count).</summary>
    public bool CredentialConfigured => ApiKeys.Count > 0 || Jwt is not null;
}
