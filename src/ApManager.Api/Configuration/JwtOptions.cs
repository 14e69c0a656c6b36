namespace ApManager.Api.Configuration;

/// <summary>
/// <c>ApManager:Auth:Jwt</c>: JWTs from an identity provider (<c>Authority</c>) or signed with an
/// offline key (<c>SigningKey</c>). Blank text counts as not given.
/// </summary>
public sealed class JwtOptions
{
    /// <summary>The identity provider's absolute URL; its metadata supplies issuer and keys.</summary>
    public string? Authority { get; set; }

    public string? Audience { get; set; }

    /// <summary>The claim carrying viewer/operator/admin, default <c>roles</c>.</summary>
    public string? RoleClaim { get; set; }

    /// <summary>The claim naming the caller, default <c>sub</c>.</summary>
    public string? NameClaim { get; set; }

    /// <summary>true (the default) or false; false allows an http Authority (development only).</summary>
    public string? RequireHttpsMetadata { get; set; }

    /// <summary>An HMAC key, base64.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The issuer a token signed with <see cref="SigningKey"/> must name.</summary>
    public string? Issuer { get; set; }

    /// <summary>How to validate JWTs, or null when they are not accepted (neither Authority nor SigningKey given).</summary>
    public JwtSettings? Read(string path, SettingErrors errors)
    {
        var requireHttps = errors.Bool($"{path}:{nameof(RequireHttpsMetadata)}", RequireHttpsMetadata, true);
        var authority = SettingErrors.Given(Authority);
        Uri? uri = null;
        if (authority is not null && !(Uri.TryCreate(authority, UriKind.Absolute, out uri) && uri.Scheme is "https" or "http"))
        {
            errors.Add($"{path}:Authority = '{authority}': use the identity provider's absolute URL, such as https://login.example/realm.");
        }
        else if (requireHttps && uri?.Scheme == "http")
        {
            errors.Add($"{path}:Authority = '{authority}': use https, or set {path}:RequireHttpsMetadata=false (development only).");
        }
        var signingKey = ReadSigningKey(path, errors);
        if (authority is null && SettingErrors.Given(SigningKey) is null)
        {
            if (KeysGivenWithout(path) is { Length: > 0 } stray)
            {
                errors.Add($"{string.Join(", ", stray)}: used only with {path}:Authority or {path}:SigningKey; give one of them to accept JWTs.");
            }
            return null;
        }
        return new JwtSettings(authority, SettingErrors.Given(Audience), SettingErrors.Given(RoleClaim) ?? "roles",
            SettingErrors.Given(NameClaim) ?? "sub", requireHttps, signingKey, SettingErrors.Given(Issuer));
    }

    // Without Authority or SigningKey JWTs are not accepted, so these would silently do nothing.
    private string[] KeysGivenWithout(string path)
    {
        (string Key, string? Value)[] settings =
            [(nameof(Audience), Audience), (nameof(RoleClaim), RoleClaim), (nameof(NameClaim), NameClaim), (nameof(RequireHttpsMetadata), RequireHttpsMetadata), (nameof(Issuer), Issuer)];
        return [.. settings.Where(s => SettingErrors.Given(s.Value) is not null).Select(s => $"{path}:{s.Key}")];
    }

    private byte[]? ReadSigningKey(string path, SettingErrors errors)
    {
        if (SettingErrors.Given(SigningKey) is not { } text)
        {
            return null;
        }
        try
        {
            var key = Convert.FromBase64String(text);
            if (key.Length > 0)
            {
                return key;
            }
        }
        catch (FormatException)
        {
            // Reported below, without the value: it is a secret.
        }
        errors.Add($"{path}:SigningKey is not base64: give the HMAC key base64-encoded, such as the output of 'openssl rand -base64 32'.");
        return null;
    }
}

/// <summary>Validated JWT settings; <see cref="SigningKey"/> is null when the Authority's metadata supplies the keys.</summary>
public sealed record JwtSettings(string? Authority, string? Audience, string RoleClaim, string NameClaim, bool RequireHttpsMetadata, byte[]? SigningKey, string? Issuer);
