namespace ApManager.Api.Tests.Stress;

/// <summary>
/// The checks made once the load has stopped: the final snapshot is consistent, every commit is
/// accounted for three ways (versions, committing 2xx responses, audit records, published
/// snapshots), unregistered drivers were never called, and the load really exercised the bus.
/// </summary>
public static class StressVerdict
{
    public static void Check(StressRun run)
    {
        foreach (var v in SnapshotInvariants.Violations(run.System.Current))
        {
            run.Failures.Fail($"final snapshot: {v}");
        }
        CheckCommitsAreAccountedFor(run);
        CheckDriverChurn(run, run.Churn!);
        CheckLoad(run);
    }

    private static void CheckCommitsAreAccountedFor(StressRun run)
    {
        var (initial, final, failures) = (run.InitialVersion, run.FinalVersion, run.Failures);
        var delta = final - initial;
        var byResponses = Interlocked.Read(ref run.Counters.CommitsByResponses);
        if (byResponses != delta || run.Audit.Committed != delta)
        {
            failures.Fail($"versions {initial} -> {final} (+{delta}), 2xx responses that committed {byResponses}, committed audit records {run.Audit.Committed}");
        }
        var expected = Enumerable.Range(1, (int)delta).Select(i => initial + i);
        if (!run.Audit.CommittedVersions.Order().SequenceEqual(expected))
        {
            failures.Fail("the committed audit records' versionAfter values are not exactly the versions in between");
        }
        if (run.Checker.SnapshotsChecked != delta || run.Checker.PublishGaps != 0)
        {
            failures.Fail($"{run.Checker.SnapshotsChecked} snapshots published and checked for {delta} committed steps, {run.Checker.PublishGaps} publish gaps");
        }
        var fromStore = run.System.Journal.ReadAudit(0, int.MaxValue);
        if (fromStore.Count > 0 && fromStore[0].Seq == 1)
        {
            // The in-memory trail still holds everything: count again from the store.
            var committed = fromStore.Count(r => r.Committed && r.VersionBefore >= initial);
            if (committed != delta)
            {
                failures.Fail($"ReadAudit lists {committed} committed records for {delta} versions");
            }
        }
    }

    /// <summary>No in_use callback ran after its UnregisterDriver returned, and the churn overlapped the load.</summary>
    private static void CheckDriverChurn(StressRun run, DriverChurn churn)
    {
        foreach (var probe in churn.Probes)
        {
            if (probe.Violations != 0)
            {
                run.Failures.Fail($"{probe.Name}: its in_use callback ran after UnregisterDriver returned ({probe.Violations} times)");
            }
            if (probe.CallsAtUnregister >= 0 && probe.Calls != probe.CallsAtUnregister)
            {
                run.Failures.Fail($"{probe.Name}: {probe.Calls - probe.CallsAtUnregister} calls after it was unregistered");
            }
        }
        if (churn.Registrations == 0 || churn.Probes.Sum(p => p.Calls) == 0)
        {
            run.Failures.Fail($"the driver churn did not overlap the load: {churn.Registrations} registrations, {churn.Probes.Sum(p => p.Calls)} callback calls");
        }
    }

    private static void CheckLoad(StressRun run)
    {
        var counters = run.Counters;
        if (counters.MaskCommits == 0 || counters.InUseRefusals == 0)
        {
            run.Failures.Fail($"the load did not exercise the bus: {counters.MaskCommits} committed mask writes, {counters.InUseRefusals} in-use refusals");
        }
        foreach (var c in run.StressClients.Where(c => c.Requests == 0))
        {
            run.Failures.Fail($"client {c.Index} sent nothing");
        }
    }
}
