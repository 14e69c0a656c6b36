using Xunit.Abstractions;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// Issue #6 part B: 32 concurrent clients mix mask writes, assignments, config replacements,
/// guests, device create/delete, adapter (de)configuration, dry runs and reads, while a checker
/// verifies every committed snapshot (I1, I2, binding rule, derived queue and guest-matrix fields,
/// gapless versions) and a thread registers and unregisters a test driver whose in_use callback
/// must never run after its unregistration returned. At the end every committing 2xx response,
/// every committed audit record and the version delta agree.
/// <c>APMANAGER_STRESS_SECONDS</c> sets the duration (CI default 5 s), <c>APMANAGER_STRESS_SEED</c> the seed.
/// </summary>
[Collection(HeavyCollection.Name)]
public class LoadAndRaceStressTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ConcurrentClientsKeepEveryInvariantAndEveryCommitIsAccountedFor()
    {
        var seconds = TestEnvironment.Double("APMANAGER_STRESS_SECONDS", 5);
        var seed = (int)TestEnvironment.Long("APMANAGER_STRESS_SEED", Environment.TickCount & int.MaxValue);
        ThreadPool.GetMinThreads(out var workers, out var io);
        // Handlers block on the writer lock (and the test driver sleeps inside it): give the pool
        // enough threads that the harness, not thread injection, sets the pace.
        ThreadPool.SetMinThreads(Math.Max(workers, StressRun.Clients + 16), Math.Max(io, StressRun.Clients + 16));
        try
        {
            await using var app = new ApManagerApplication(new Dictionary<string, string?>
            {
                ["ApManager:Storage:Mode"] = "memory",
            });
            var run = new StressRun(app, seed);

            await run.ExecuteAsync(TimeSpan.FromSeconds(seconds));

            output.WriteLine(StressReport.Summary(run));
            Assert.True(run.Failures.IsEmpty, StressReport.Failures(run));
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, io);
        }
    }
}
