using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace ApManager.Api.Tests.OpenApi;

/// <summary>
/// The committed document passes the linters a new user reaches for — Redocly CLI (recommended)
/// and Spectral (spectral:oas) — with no error and no warning. The pinned linters are installed
/// from openapi/lint/package-lock.json into openapi/lint/node_modules (git-ignored) once per lock.
/// </summary>
public class OpenApiLintTests
{
    private static string LintDir([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "openapi", "lint"));

    private static string Document => Path.GetFullPath(Path.Combine(LintDir(), "..", "swagger.json"));

    [NpmFact]
    public async Task RedoclyRecommendedRulesFindNoErrorAndNoWarning()
    {
        var dir = await Linters.InstallAsync(LintDir());
        var (exit, stdout, stderr) = await Linters.RunAsync(dir, "redocly", "lint", Document, "--config", "redocly.yaml", "--format=json");
        var output = stdout + stderr;
        var totals = stdout.Contains('{', StringComparison.Ordinal) ? JsonNode.Parse(stdout[stdout.IndexOf('{', StringComparison.Ordinal)..])?["totals"] : null;
        Assert.True(totals is not null && (int)totals["errors"]! == 0 && (int)totals["warnings"]! == 0 && exit == 0,
            $"redocly lint (exit {exit}) found problems in openapi/swagger.json:\n{output}");
    }

    [NpmFact]
    public async Task SpectralOasRulesFindNoErrorAndNoWarning()
    {
        var dir = await Linters.InstallAsync(LintDir());
        var (exit, stdout, stderr) = await Linters.RunAsync(dir, "spectral", "lint", "-r", ".spectral.yaml", Document, "--fail-severity=hint");
        Assert.True(exit == 0, $"spectral lint (exit {exit}) found problems in openapi/swagger.json:\n{stdout}{stderr}");
    }

    private static class Linters
    {
        private static readonly SemaphoreSlim Gate = new(1, 1);

        /// <summary>Runs <c>npm ci</c> unless node_modules was installed from this very lock file.</summary>
        public static async Task<string> InstallAsync(string dir)
        {
            var stamp = Path.Combine(dir, "node_modules", ".apmanager-lock-sha256");
            var hash = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(dir, "package-lock.json"))));
            await Gate.WaitAsync();
            try
            {
                if (File.Exists(stamp) && await File.ReadAllTextAsync(stamp) == hash)
                {
                    return dir;
                }
                var (exit, stdout, stderr) = await RunAsync(dir, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund");
                Assert.True(exit == 0, $"npm ci in {dir} failed (exit {exit}):\n{stdout}{stderr}");
                await File.WriteAllTextAsync(stamp, hash);
                return dir;
            }
            finally
            {
                Gate.Release();
            }
        }

        public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string dir, string tool, params string[] args)
        {
            var file = tool == "npm" ? "npm" : Path.Combine(dir, "node_modules", ".bin", tool);
            var start = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            // No telemetry or update checks from a test run.
            start.Environment["REDOCLY_TELEMETRY"] = "off";
            start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
            start.Environment["NO_UPDATE_NOTIFIER"] = "1";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
    }
}

/// <summary>
/// A fact that needs npm on PATH: skipped, saying so, without it — except under <c>CI=true</c>,
/// where the linters must run and a missing npm is a failure.
/// </summary>
public sealed class NpmFactAttribute : FactAttribute
{
    public NpmFactAttribute()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!ci && !path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Any(p => File.Exists(Path.Combine(p, "npm"))))
        {
            Skip = "npm is not on PATH: cannot run the OpenAPI linters (install Node.js with npm; under CI=true this is a failure).";
        }
    }
}
