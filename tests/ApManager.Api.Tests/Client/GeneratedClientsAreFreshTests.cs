using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ApManager.Api.Tests.Client;

/// <summary>
/// The committed clients are exactly what the pinned generators make from the committed document:
/// each test runs the same script a developer runs (tools restored from .config/dotnet-tools.json)
/// into a temporary place and compares, ignoring nothing but line endings.
/// </summary>
public class GeneratedClientsAreFreshTests
{
    private static string Repo([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));

    [Fact]
    public async Task TheCommittedKiotaClientIsWhatThePinnedKiotaGeneratesFromTheCommittedDocument()
    {
        var root = Directory.CreateTempSubdirectory("apmanager-kiota-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "openapi"));
            File.Copy(Path.Combine(Repo(), "openapi", "swagger.json"), Path.Combine(root, "openapi", "swagger.json"));

            await RunAsync("src/ApManager.Client/generate.sh", root);

            AssertSameTree(Path.Combine(Repo(), "src", "ApManager.Client", "Generated"), Path.Combine(root, "src", "ApManager.Client", "Generated"), "src/ApManager.Client/generate.sh");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task TheCommittedNSwagClientIsWhatThePinnedNSwagGeneratesFromTheCommittedDocument()
    {
        const string Script = "tests/ApManager.Api.Tests/Client/NSwag/generate.sh";
        var output = Path.Combine(Directory.CreateTempSubdirectory("apmanager-nswag-").FullName, "ApManagerNSwagClient.cs");
        try
        {
            await RunAsync(Script, output);

            Assert.True(Text(Path.Combine(Repo(), "tests", "ApManager.Api.Tests", "Client", "NSwag", "ApManagerNSwagClient.cs")) == Text(output),
                $"the committed NSwag client is stale: run {Script} and commit the result");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
        }
    }

    private static void AssertSameTree(string committed, string generated, string script)
    {
        string[] Files(string dir) => [.. Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];
        var expected = Files(generated);
        var actual = Files(committed);
        var differing = expected.Intersect(actual).Where(f => Text(Path.Combine(committed, f)) != Text(Path.Combine(generated, f))).ToList();
        var problems = expected.Except(actual).Select(f => $"missing {f}")
            .Concat(actual.Except(expected).Select(f => $"not generated any more {f}"))
            .Concat(differing.Select(f => $"differs {f}")).ToList();
        Assert.True(problems.Count == 0, $"the committed Kiota client is stale: run {script} and commit the result.\n{string.Join("\n", problems.Take(20))}");
    }

    private static string Text(string path) => File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);

    private static async Task RunAsync(string script, string argument)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = Repo(), RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{script} failed ({process.ExitCode}):\n{await stdout}{await stderr}");
    }
}
