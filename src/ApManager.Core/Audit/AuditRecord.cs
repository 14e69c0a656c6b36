namespace ApManager.Core.Audit;

/// <summary>
/// One mutation attempt as the audit trail keeps it: accepted, refused or dry run.
/// <see cref="Seq"/> is assigned by the journal and is also the event id of its events.
/// </summary>
/// <param name="Seq">Position in the audit trail, 1-based and strictly increasing.</param>
/// <param name="Time">When the attempt was decided.</param>
/// <param name="Actor">Who asked (the authenticated caller, or anonymous).</param>
/// <param name="Action">What was asked, e.g. <c>bus.apmask</c>, <c>mdev.assign-adapter</c>.</param>
/// <param name="Target">The addressed resource, e.g. <c>bus</c>, a UUID, <c>adapter/7</c>.</param>
/// <param name="Input">The input as received (mask text, id, JSON body).</param>
/// <param name="Accepted">True when the call succeeded (a no-op included).</param>
/// <param name="Refusal">The refusal code (problem type name) when refused.</param>
/// <param name="DryRun">True for a preview that changed nothing.</param>
/// <param name="VersionBefore">Global version before.</param>
/// <param name="VersionAfter">Global version after (equal to before unless a step was committed).</param>
/// <param name="Before">The addressed resource before, as JSON.</param>
/// <param name="After">The addressed resource after, as JSON (null when deleted or refused).</param>
/// <param name="Details">Event payload as JSON: rebound queues, changed devices, offenders.</param>
/// <param name="Events">Event types this record produces on the event stream.</param>
public sealed record AuditRecord(
    long Seq,
    DateTimeOffset Time,
    string Actor,
    string Action,
    string Target,
    string? Input,
    bool Accepted,
    string? Refusal,
    bool DryRun,
    long VersionBefore,
    long VersionAfter,
    string? Before,
    string? After,
    string? Details,
    IReadOnlyList<string> Events)
{
    public bool Committed => Accepted && !DryRun && VersionAfter != VersionBefore;
}

/// <summary>Event type names on <c>GET /api/events</c>.</summary>
public static class EventTypes
{
    public const string BusChanged = "bus-changed";
    public const string QueuesRebound = "queues-rebound";
    public const string MdevChanged = "mdev-changed";
    public const string GuestMatrixChanged = "guest-matrix-changed";
    public const string ChangeRefused = "change-refused";
    public const string AdapterChanged = "adapter-changed";
    public const string QueuesSwitched = "queues-switched";
    public const string HostChanged = "host-changed";
    public const string DefinitionsChanged = "definitions-changed";
}
