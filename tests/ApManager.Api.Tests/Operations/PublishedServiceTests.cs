using System.Net;
using System.Runtime.CompilerServices;
using ApManager.Api.Configuration;
using ApManager.Api.Tests.Durability;

namespace ApManager.Api.Tests.Operations;

/// <summary>
/// The service as it is installed: published files in one folder (<c>/opt/apmanager</c>), started
/// by the systemd unit in its state directory (<c>/var/lib/apmanager</c>) with root's home
/// protected. It must find its own files there and start without a warning.
/// </summary>
public sealed class PublishedServiceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("apmanager-published-").FullName;

    private string Install => Path.Combine(_root, "opt");

    private string State => Path.Combine(_root, "state");

    private string Home => Path.Combine(_root, "home");

    [Fact]
    public async Task StartedInItsStateDirectoryItServesTheDashboardFromItsOwnFolderAndWarnsAboutNothing()
    {
        Publish();
        Directory.CreateDirectory(State);
        Directory.CreateDirectory(Home);
        var environment = new Dictionary<string, string> { ["HOME"] = Home, ["Serilog__MinimumLevel__Default"] = "Information" };

        await using var service = await ApManagerProcess.StartReadyAsync(Path.Combine(State, "apmanager.db"), TimeSpan.FromSeconds(60), environment,
            Path.Combine(Install, "ApManager.Api.dll"));
        using var client = service.CreateClient();
        using var page = await client.GetAsync("/");
        using var style = await client.GetAsync("/app.css");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>ApManager", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, style.StatusCode);
        Assert.Contains("Content root path: " + Install, service.Output, StringComparison.Ordinal);
        // No data-protection key ring (it wrote an unencrypted key into $HOME with a warning), no missing web root.
        Assert.DoesNotContain(" WRN] ", service.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Home, ".aspnet")), "A data-protection key ring was created in $HOME.");
        // Relative paths in the settings stay relative to the working directory: the store is in the state directory.
        Assert.True(File.Exists(Path.Combine(State, "apmanager.db")));
    }

    [Fact]
    public void AContentRootGivenOnTheCommandLineOrInTheEnvironmentIsKept()
    {
        Directory.CreateDirectory(Path.Combine(Install, "wwwroot"));

        Assert.Equal(Install, ContentRoot.For([], Install, []));
        Assert.Null(ContentRoot.For(["--contentRoot", State], Install, []));
        Assert.Null(ContentRoot.For([$"--contentRoot={State}"], Install, []));
        Assert.Null(ContentRoot.For([], Install, [new("ASPNETCORE_CONTENTROOT", State)]));
        Assert.Null(ContentRoot.For([], Install, [new("DOTNET_CONTENTROOT", State)]));
        // The build output has no wwwroot (dotnet run starts in the project folder, which has it).
        Assert.Null(ContentRoot.For([], AppContext.BaseDirectory, []));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>The layout <c>dotnet publish</c> makes: the build next to these tests and the dashboard's wwwroot.</summary>
    private void Publish()
    {
        Copy(AppContext.BaseDirectory, Install);
        Copy(Path.Combine(Repo(), "src", "ApManager.Api", "wwwroot"), Path.Combine(Install, "wwwroot"));
    }

    private static void Copy(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    private static string Repo([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));
}
