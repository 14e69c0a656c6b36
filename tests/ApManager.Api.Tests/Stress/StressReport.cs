using System.Globalization;
using System.Text;

namespace ApManager.Api.Tests.Stress;

/// <summary>The text a stress run leaves: a summary for the test output, and the failures with the seed that replays the run.</summary>
public static class StressReport
{
    public static string Summary(StressRun run)
    {
        var (seed, counters, audit, checker) = (run.Seed, run.Counters, run.Audit, run.Checker);
        var seconds = Math.Max(0.001, run.Failures.Clock.Elapsed.TotalSeconds);
        var total = counters.Statuses.Values.Sum();
        var b = new StringBuilder();
        b.AppendLine(CultureInfo.InvariantCulture, $"stress seed {seed} (replay with APMANAGER_STRESS_SEED={seed}): {StressRun.Clients} clients, {seconds:F1} s, {total} requests ({total / seconds:F0}/s)");
        b.AppendLine(CultureInfo.InvariantCulture, $"by class: {string.Join(", ", counters.Statuses.GroupBy(s => s.Key / 100).OrderBy(g => g.Key).Select(g => $"{g.Key}xx={g.Sum(s => s.Value)}"))}");
        b.AppendLine(CultureInfo.InvariantCulture, $"by status: {string.Join(", ", counters.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value}"))}");
        b.AppendLine(CultureInfo.InvariantCulture, $"operations: {string.Join(", ", counters.Operations.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}"))}");
        b.AppendLine(CultureInfo.InvariantCulture, $"versions {run.InitialVersion} -> {run.FinalVersion}: {counters.CommitsByResponses} committing 2xx responses ({counters.MaskCommits} mask writes), {audit.Committed} committed audit records of {audit.Records} ({audit.DryRuns} dry runs, {audit.Refused} refused)");
        b.AppendLine(CultureInfo.InvariantCulture, $"checks: {checker.SnapshotsChecked} published snapshots fully checked, {checker.CurrentPolls} polls of Current, {counters.VersionChecks} response version checks, {counters.ReadChecks} read-your-writes/read checks, {counters.InUseRefusals} in-use refusals ({counters.ProbeRefusals} by the test driver)");
        if (run.Churn is { } churn)
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"driver churn: {churn.Registrations} register/unregister cycles, {churn.TakenNameRefusals} taken-name refusals, {churn.Probes.Sum(p => p.Calls)} callback calls, {churn.Probes.Sum(p => p.Violations)} violations; registered {churn.Registered.TotalSeconds:F1} s, inside UnregisterDriver {churn.Unregistering.TotalSeconds:F1} s; {counters.InUseQueries} mask writes reached the in_use check");
        }
        return b.ToString();
    }

    public static string Failures(StressRun run) =>
        $"seed {run.Seed} (replay with APMANAGER_STRESS_SEED={run.Seed}): {run.Failures.Count} failures" + Environment.NewLine +
        string.Join(Environment.NewLine, run.Failures.First(60)) + Environment.NewLine + Summary(run);
}
