using ApManager.Api.Access;

namespace ApManager.Api.Configuration;

/// <summary>One item of <c>ApManager:Auth:ApiKeys</c>: never the key, only its SHA-256.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>Who the key belongs to; the audit trail's actor.</summary>
    public string? Name { get; set; }

    /// <summary><c>viewer</c>, <c>operator</c> or <c>admin</c>, any case.</summary>
    public string? Role { get; set; }

    /// <summary><c>sha256:</c> and 64 hex digits.</summary>
    public string? Hash { get; set; }

    /// <summary>The key, or null after adding the first thing wrong with it to <paramref name="errors"/>.</summary>
    public ApiKey? Read(string path, SettingErrors errors)
    {
        var role = Role?.ToLowerInvariant();
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add($"{path}:Name is missing.");
        }
        else if (!Roles.IsRole(role))
        {
            errors.Add($"{path}:Role = '{Role}': use viewer, operator or admin.");
        }
        else if (!ApiKeyStore.TryParseHash(Hash, out var hash))
        {
            errors.Add($"{path}:Hash: give 'sha256:' and 64 hex digits (the SHA-256 of the key; the key itself is never configured).");
        }
        else
        {
            return new ApiKey(Name, role!, hash);
        }
        return null;
    }
}
