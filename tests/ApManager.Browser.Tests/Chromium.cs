using System.Diagnostics.CodeAnalysis;

namespace ApManager.Browser.Tests;

/// <summary>
/// Where the distribution's Chromium is. The tests never download a browser (no <c>playwright install</c>):
/// they drive Debian's package, <c>/usr/bin/chromium</c>, or the file named by <c>APMANAGER_CHROMIUM</c>.
/// </summary>
public static class Chromium
{
    public const string InstallHint = "install it with `apt-get update && apt-get install -y chromium` (Debian's package, /usr/bin/chromium)";

    public static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    public static string? Path { get; } = Find();

    [MemberNotNullWhen(true, nameof(Path))]
    public static bool Found => Path is not null;

    public static string MissingMessage =>
        $"No Chromium found ($APMANAGER_CHROMIUM if set, else /usr/bin/chromium, /usr/bin/chromium-browser, PATH): {InstallHint}.";

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("APMANAGER_CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }
        var candidates = new List<string?> { "/usr/bin/chromium", "/usr/bin/chromium-browser" };
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(System.IO.Path.Combine(dir, "chromium"));
        }
        return candidates.FirstOrDefault(c => !string.IsNullOrWhiteSpace(c) && File.Exists(c));
    }
}

/// <summary>
/// A browser test: skipped with a message naming <c>apt-get install chromium</c> when no Chromium is installed,
/// except in CI (<c>CI=true</c>), where .ci/run installs it and a missing browser must fail, not pass quietly.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!Chromium.Found && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = Chromium.MissingMessage;
        }
    }
}
