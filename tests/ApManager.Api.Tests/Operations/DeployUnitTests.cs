using System.Runtime.CompilerServices;
using ApManager.Core.Host.Sysfs;
using ApManager.Core.Persistence;

namespace ApManager.Api.Tests.Operations;

/// <summary>
/// deploy/apmanager.service against what the service writes on a real host: with
/// <c>ProtectSystem=strict</c> everything outside /dev, /proc, /sys, the state directory and the
/// listed writable paths is read-only, and a write there fails with EROFS.
/// </summary>
public class DeployUnitTests
{
    private static readonly Dictionary<string, List<string>> Unit = Parse(File.ReadAllLines(Path.Combine(Repo(), "deploy", "apmanager.service")));

    public static TheoryData<string> WrittenOnAHost()
    {
        var layout = new SysfsLayout("/");
        var definitions = new FileDefinitionStore("/");
        return
        [
            Path.GetDirectoryName(layout.LockFile)!,            // the s390-tools lock, taken per change
            definitions.MatrixPath,                             // mdevctl's persistent definitions
            Path.GetDirectoryName(definitions.RulesPath)!,      // chzdev's persistent masks (temp file + rename in the directory)
            Path.GetDirectoryName(Value("Environment", "ApManager__Storage__Path"))!, // the store, its WAL and the first-run key
        ];
    }

    [Theory]
    [MemberData(nameof(WrittenOnAHost))]
    public void EveryPathTheServiceWritesIsWritableInTheSandbox(string path)
    {
        Assert.Equal("strict", Single("ProtectSystem"));
        var writable = Unit["ReadWritePaths"].SelectMany(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(p => p.TrimStart('-'))
            .Concat(Unit["StateDirectory"].Select(d => "/var/lib/" + d));

        Assert.Contains(writable, w => Under(path, w));
    }

    [Fact]
    public void AWritablePathThatMayNotExistYetIsMadeBeforeTheSandbox()
    {
        // A ReadWritePaths entry that does not exist fails the unit's start; /etc/mdevctl.d exists only where mdevctl was installed.
        var made = Unit["ExecStartPre"].Where(c => c.StartsWith('+') && c.Contains("mkdir -p", StringComparison.Ordinal))
            .SelectMany(c => c.Split(' ').Skip(2)).ToList();

        Assert.Contains(made, m => Under(new FileDefinitionStore("/").MatrixPath, m));
    }

    [Fact]
    public void TheServiceStartsInItsStateDirectory()
    {
        Assert.Equal("/var/lib/" + Single("StateDirectory"), Single("WorkingDirectory"));
    }

    private static bool Under(string path, string directory) =>
        path.TrimEnd('/') == directory.TrimEnd('/') || path.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal);

    private static string Single(string key) => Assert.Single(Unit[key]);

    private static string Value(string key, string name) =>
        Unit[key].Select(v => v.Split('=', 2)).Single(kv => kv[0] == name)[1];

    private static Dictionary<string, List<string>> Parse(string[] lines)
    {
        var unit = new Dictionary<string, List<string>>();
        foreach (var line in lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('[')))
        {
            var (key, value) = (line[..line.IndexOf('=')], line[(line.IndexOf('=') + 1)..]);
            (unit.TryGetValue(key, out var values) ? values : unit[key] = []).Add(value);
        }
        return unit;
    }

    private static string Repo([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));
}
