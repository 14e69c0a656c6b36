using System.Diagnostics;
using ApManager.Api.Tests.Durability;

namespace ApManager.Api.Tests.Events;

/// <summary>
/// Stopping the service (SIGTERM, as systemd does) while a dashboard follows /api/events: the
/// stream ends and the process exits at once. It waited for the host's 30 s shutdown timeout,
/// past the unit's TimeoutStopSec=15s, so systemd killed it and marked the unit failed.
/// </summary>
public sealed class StopWithOpenStreamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("apmanager-stop-").FullName;

    [Fact]
    public async Task SigtermEndsAnOpenEventStreamAndTheProcessExitsPromptly()
    {
        await using var service = await ApManagerProcess.StartReadyAsync(Path.Combine(_dir, "apmanager.db"), TimeSpan.FromSeconds(60));
        using var client = service.CreateClient(TimeSpan.FromSeconds(60));
        using var response = await client.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(body);
        Assert.Equal("retry: 2000", await reader.ReadLineAsync());

        var stopping = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", service.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var rest = await reader.ReadToEndAsync();

        Assert.Equal(0, exitCode);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"The service took {stopping.Elapsed} to stop with a stream open.");
        Assert.DoesNotContain("event:", rest, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
