using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace ApManager.Api.Tests.Durability;

/// <summary>Runs alone: it measures nothing, but SIGKILL timing and fsync latency should not compete with other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashCollection
{
    public const string Name = "Crash tests on the real process";
}

/// <summary>
/// The real service as an OS process, killed with SIGKILL at a random moment of a burst of
/// concurrent writes, restarted on the same file, many times over.
/// </summary>
[Collection(CrashCollection.Name)]
public class CrashTests(ITestOutputHelper output)
{
    private const int Workers = 8;

    [Fact]
    public async Task KillingTheProcessMidBurstNeverLosesAnAcknowledgedChangeNorShowsHalfOfOne()
    {
        var cycles = int.TryParse(Environment.GetEnvironmentVariable("APMANAGER_CRASH_CYCLES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 20;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("APMANAGER_CRASH_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : Environment.TickCount;
        output.WriteLine($"{cycles} cycles, seed {seed} (set APMANAGER_CRASH_SEED={seed} to replay the same delays and operations)");
        var random = new Random(seed);
        var workload = new CrashWorkload(Workers);
        var path = ApManagerApplication.NewStoragePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var clock = Stopwatch.StartNew();
        try
        {
            for (var cycle = 0; cycle <= cycles; cycle++)
            {
                var context = $"cycle {cycle} of {cycles} (seed {seed})";
                await using var service = await ApManagerProcess.StartReadyAsync(path, TimeSpan.FromSeconds(60));
                using (var client = service.CreateClient())
                {
                    if (cycle == 0)
                    {
                        await workload.SetUpAsync(client);
                    }
                    output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1}s {context}: {await workload.VerifyAsync(client, context)}");
                }
                if (cycle == cycles)
                {
                    break;
                }
                using (var client = service.CreateClient())
                {
                    await workload.WarmUpAsync(client);
                }

                // The random moment is counted from the burst's first acknowledged change, so the
                // kill lands while all workers are writing, not while the new process still JITs.
                var delay = random.Next(50, 401);
                var firstAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var burst = workload.RunBurstAsync(service.BaseAddress, random.Next(), firstAnswer);
                await firstAnswer.Task.WaitAsync(TimeSpan.FromSeconds(30));
                await Task.Delay(delay);
                service.Kill();
                await burst.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            ApManagerApplication.DeleteStorage(path);
        }
        output.WriteLine($"{cycles} kills in {clock.Elapsed.TotalSeconds:F1}s");

        // The bursts really raced the kill: many acknowledged changes, and some left unanswered.
        Assert.True(workload.Acknowledged >= cycles * Workers, $"Only {workload.Acknowledged} changes were acknowledged in {cycles} bursts.");
        Assert.True(workload.Unanswered > 0, "No change was ever in flight when the process was killed.");
    }
}
