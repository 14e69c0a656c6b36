using System.Net;
using ApManager.Api.Configuration;

namespace ApManager.Api.Access;

/// <summary>
/// Refuses to listen beyond loopback without a configured credential: a generated first-run key is
/// only good enough for a service nobody else can reach.
/// </summary>
public static class ExposureCheck
{
    public static void CheckExposure(this WebApplication app) =>
        CheckExposure(app.Configuration, app.Services.GetRequiredService<AuthSettings>());

    internal static void CheckExposure(IConfiguration configuration, AuthSettings auth)
    {
        if (auth.CredentialConfigured)
        {
            return;
        }
        var urls = (configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        foreach (var url in urls)
        {
            if (!IsLoopback(url))
            {
                throw new InvalidOperationException(
                    $"Refusing to listen on {url} without credentials: anyone who reaches it could change the AP configuration. " +
                    "Configure ApManager:Auth:ApiKeys (name, role, sha256 hash) or ApManager:Auth:Jwt, or listen on 127.0.0.1 only.");
            }
        }
    }

    private static bool IsLoopback(string url)
    {
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var host = rest.StartsWith('[') ? rest[1..rest.IndexOf(']')] : rest.Split(':', '/')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }
}
