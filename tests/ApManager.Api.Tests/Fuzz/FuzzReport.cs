using System.Globalization;
using System.Text;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>The text a fuzz run leaves: a summary for the test output, and the failures with the seed that replays them.</summary>
public static class FuzzReport
{
    public static string Summary(FuzzRun run)
    {
        var seed = run.Seed;
        var seconds = run.Tally.Clock.Elapsed.TotalSeconds;
        var current = run.System.Current;
        var b = new StringBuilder();
        b.AppendLine(CultureInfo.InvariantCulture, $"fuzz seed {seed} (replay with APMANAGER_FUZZ_SEED={seed}): {run.Tally.Sent} requests in {seconds:F1} s ({run.Tally.Sent / Math.Max(0.001, seconds):F0}/s) over {run.Routes.Count} routes + unknown paths");
        run.Tally.AppendStatuses(b);
        b.AppendLine(CultureInfo.InvariantCulture, $"problems: {string.Join(", ", run.Problems.Types.Select(s => $"{s.Key}={s.Value}"))}");
        b.AppendLine(CultureInfo.InvariantCulture, $"checks: {run.State.Checks} state comparisons, {run.Problems.Checks} problem bodies, {run.Masks.SyntaxChecks} mask oracles, {run.Masks.ModelChecks} mask results against the generator's model, {run.Access.Checks} role checks, {run.State.InvariantChecks} full invariant checks");
        b.AppendLine(CultureInfo.InvariantCulture, $"final state: {current.Mdevs.Count} matrix devices, {current.Guests.Count} guests, {current.Queues.Count()} queues");
        b.AppendLine(CultureInfo.InvariantCulture, $"versions {run.InitialVersion} -> {run.FinalVersion}: {run.State.CommittedByResponses} committing 2xx responses, {run.Audit.Committed} committed audit records of {run.Audit.Records}");
        run.Tally.AppendCosts(b);
        return b.ToString();
    }

    public static string Failures(FuzzRun run) =>
        $"seed {run.Seed} (replay with APMANAGER_FUZZ_SEED={run.Seed}): {run.Failures.Total} failures" + Environment.NewLine +
        $"failure kinds: {run.Failures.Kinds()}" + Environment.NewLine +
        string.Join(Environment.NewLine, run.Failures.Details) + Environment.NewLine + Summary(run);
}
