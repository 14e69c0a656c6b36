namespace ApManager.Api.Configuration;

/// <summary>
/// Where the service finds its own files (the dashboard's <c>wwwroot</c>, <c>appsettings.json</c>).
/// ASP.NET Core takes the working directory; the systemd unit starts the published service in its
/// state directory (<c>/var/lib/apmanager</c>), where neither is, so the dashboard was not served
/// and the settings file not read. A published service (its folder holds <c>wwwroot</c>) uses its
/// own folder instead; a content root given on the command line or in the environment
/// (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>, <c>DOTNET_CONTENTROOT</c>) is kept, and
/// the build output (<c>dotnet run</c>, which starts in the project folder) is left as it was.
/// Relative paths in the settings (the default store <c>./data</c>) stay relative to the working directory.
/// </summary>
public static class ContentRoot
{
    public static string? For(string[] args, string applicationDirectory, IEnumerable<KeyValuePair<string, string?>>? environment = null)
    {
        var given = new ConfigurationBuilder()
            .AddInMemoryCollection(environment ?? EnvironmentVariables())
            .AddCommandLine(args)
            .Build();
        if (!string.IsNullOrEmpty(given["contentRoot"]) || !string.IsNullOrEmpty(given["ASPNETCORE_CONTENTROOT"]) || !string.IsNullOrEmpty(given["DOTNET_CONTENTROOT"]))
        {
            return null;
        }
        return Directory.Exists(Path.Combine(applicationDirectory, "wwwroot")) ? applicationDirectory : null;
    }

    private static IEnumerable<KeyValuePair<string, string?>> EnvironmentVariables() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string?>((string)e.Key, e.Value as string));
}
