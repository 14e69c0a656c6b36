using ApManager.Core.Matrix;
using ApManager.Core.Refusals;
using ApManager.Core.State;

namespace ApManager.Core.Audit;

/// <summary>
/// Builds the audit record of one attempt (accepted, refused or dry run) and chooses the events
/// it produces on the event stream.
/// </summary>
public sealed class AuditRecorder(TimeProvider time)
{
    /// <summary>
    /// The record of an attempt on <paramref name="before"/>: <paramref name="after"/> is the step it
    /// committed (or would, for a dry run), null when it changed nothing or was refused.
    /// </summary>
    public AuditRecord Record(AuditInfo audit, string? actor, ApSnapshot before, ApSnapshot? after, Refusal? refusal, StepDelta delta, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(before);
        string? details = null;
        IReadOnlyList<string> events = [];
        if (refusal is not null)
        {
            details = AuditJson.Refusal(refusal);
            events = dryRun ? [] : [EventTypes.ChangeRefused];
        }
        else if (after is not null)
        {
            var diff = SnapshotDiff.Between(before, after);
            details = AuditJson.Changes(after, diff, delta);
            events = dryRun ? [] : EventsOf(diff, delta);
        }
        return new AuditRecord(
            0,
            time.GetUtcNow(),
            actor ?? "anonymous",
            audit.Action,
            audit.Target,
            audit.Input,
            refusal is null,
            refusal?.Code,
            dryRun,
            before.Version,
            // A dry run commits nothing: the version after is the one before (its 'after' shows the preview).
            dryRun ? before.Version : after?.Version ?? before.Version,
            audit.View(before),
            refusal is null ? audit.View(after ?? before) : null,
            details,
            events);
    }

    /// <summary>A mutation attempt refused before it reached the rules (malformed body, bad path value, 401, 403, 429): no event.</summary>
    public AuditRecord Rejected(string action, string target, string? input, string? actor, string problem, long version) =>
        new(0, time.GetUtcNow(), actor ?? "anonymous", action, target, input, false, problem, false, version, version, null, null, null, []);

    /// <summary>A real host read at start: whatever others changed while ApManager was not running took the next version.</summary>
    public AuditRecord HostReadAtStart(long storedVersion, ApSnapshot first)
    {
        ArgumentNullException.ThrowIfNull(first);
        return new AuditRecord(0, time.GetUtcNow(), "host", "host.changed", "host", "start", true, null, false, storedVersion, first.Version,
            null, AuditJson.Host(first), null, [EventTypes.HostChanged]);
    }

    /// <summary>The events a committed step produces, in the order clients get them.</summary>
    public static IReadOnlyList<string> EventsOf(SnapshotDiff diff, StepDelta delta)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(delta);
        List<string> events = [];
        if (diff.BusChanged)
        {
            events.Add(EventTypes.BusChanged);
        }
        if (diff.ChangedAdapters.Count > 0)
        {
            events.Add(EventTypes.AdapterChanged);
        }
        if (delta.Rebound.Count > 0)
        {
            events.Add(EventTypes.QueuesRebound);
        }
        if (delta.Switched.Count > 0)
        {
            events.Add(EventTypes.QueuesSwitched);
        }
        if (diff.ChangedDevices.Any(c => c.Before is null || c.After is null || c.Before.Assignment != c.After.Assignment || c.Before.Guest != c.After.Guest || c.Before.Name != c.After.Name))
        {
            events.Add(EventTypes.MdevChanged);
        }
        if (diff.ChangedDevices.Any(c => GuestMatrix.Visible(c.Before?.Shadow) != GuestMatrix.Visible(c.After?.Shadow)))
        {
            events.Add(EventTypes.GuestMatrixChanged);
        }
        return events;
    }
}
