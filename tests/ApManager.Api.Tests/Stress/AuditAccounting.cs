using ApManager.Core.Audit;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// Reads the audit trail as it becomes durable: sequence numbers without gaps, a committed record
/// moves the version by exactly one, anything else does not move it (a dry run names the version
/// its change would make), and the committed versions are kept for the final accounting.
/// </summary>
public sealed class AuditAccounting(StressFailures failures)
{
    private readonly Lock _lock = new();
    private readonly List<long> _committedVersions = [];
    private long _lastSeq;

    public long Records { get; private set; }

    public long Committed { get; private set; }

    public long DryRuns { get; private set; }

    public long Refused { get; private set; }

    /// <summary>The versionAfter of every committed record, in arrival order.</summary>
    public IReadOnlyList<long> CommittedVersions
    {
        get
        {
            lock (_lock)
            {
                return [.. _committedVersions];
            }
        }
    }

    public void OnDurable(IReadOnlyList<AuditRecord> records)
    {
        lock (_lock)
        {
            foreach (var r in records)
            {
                Count(r);
            }
        }
    }

    private void Count(AuditRecord r)
    {
        Records++;
        if (_lastSeq != 0 && r.Seq != _lastSeq + 1)
        {
            failures.Fail($"audit seq jumps from {_lastSeq} to {r.Seq}");
        }
        _lastSeq = r.Seq;
        if (r.DryRun)
        {
            DryRuns++;
        }
        if (!r.Accepted)
        {
            Refused++;
        }
        if (r.Committed)
        {
            Committed++;
            _committedVersions.Add(r.VersionAfter);
            if (r.VersionAfter != r.VersionBefore + 1)
            {
                failures.Fail($"audit record {r.Seq} ({r.Action}) committed {r.VersionBefore} -> {r.VersionAfter}");
            }
        }
        else if (r.DryRun ? r.VersionAfter - r.VersionBefore is not (0 or 1) : r.VersionAfter != r.VersionBefore)
        {
            // A dry run records the version its change would produce (before + 1); anything else must not move.
            failures.Fail($"audit record {r.Seq} ({r.Action}, accepted {r.Accepted}, dry run {r.DryRun}) moves the version {r.VersionBefore} -> {r.VersionAfter}");
        }
    }
}
