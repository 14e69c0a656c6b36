using ApManager.Api.Http;
using ApManager.Core.Refusals;

namespace ApManager.Api.Problems;

/// <summary>
/// Logs each refusal once, as one structured event: offenders travel as a structured property
/// (<c>{@OffendingApqns}</c>) for structured sinks, never as a line per APQN.
/// </summary>
public static class RefusalLog
{
    public const string Category = "ApManager.Refusals";

    public static void Write(ILogger logger, string action, Refusal refusal, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(logger);
        switch (refusal)
        {
            case InvalidMask m:
                logger.LogInformation("Refused {Action}: {Attribute} input {Input} is {Errno} at position {Position} (dry run: {DryRun})",
                    action, m.Attribute, m.Input, m.Errno.ToString(), m.Position, dryRun);
                break;
            case QueuesInUse q:
            {
                var offenders = OffenderDto.From(q.Offenders);
                // The message names the offenders as plain text. Rendering the structure into every
                // console line cost about a seventh of the process CPU under a flood of refusals (CPU profile).
                using (logger.BeginScope(new Dictionary<string, object> { ["@OffendingApqns"] = offenders }))
                {
                    logger.LogWarning(
                        "Refused {Action}: {Attribute} change {Inputs} is {Errno}, {OffenderCount} queues in use: {Offenders} (dry run: {DryRun})",
                        action, q.Attribute, q.Inputs, q.Errno.ToString(), offenders.Count, OffenderText(offenders), dryRun);
                }
                break;
            }
            case InUseCheckFailed f:
                logger.LogError(f.Error, "Refused {Action}: the in_use callback of driver {Driver} failed while checking the {Attribute} change", action, f.Driver, f.Attribute);
                break;
            case VersionMismatch v:
                logger.LogInformation("Refused {Action}: If-Match {Expected} but the {Resource} is at version {Current}", action, v.Expected, v.Resource, v.Current);
                break;
            case IdOutOfRange r:
                logger.LogInformation("Refused {Action}: ids out of range {@OutOfRange} (ENODEV)", action,
                    new[] { r }.Concat(r.More).Select(x => new { x.Kind, x.Ids, x.Max }));
                break;
            case ApqnOwnedByHost o:
                Offenders(logger, action, o.Code, o.Mdev.ToString(), o.Errno.ToString(), o.Offenders, dryRun);
                break;
            case ApqnConflict c:
                Offenders(logger, action, c.Code, c.Mdev.ToString(), c.Errno.ToString(), c.Offenders, dryRun);
                break;
            case MdevExists e:
                logger.LogInformation("Refused {Action}: matrix device {Mdev} exists", action, e.Mdev.ToString());
                break;
            case MdevInUse u:
                logger.LogInformation("Refused {Action}: matrix device {Mdev} is used by guest {Guest}", action, u.Mdev.ToString(), u.Guest);
                break;
            case GuestHasMdev g:
                logger.LogInformation("Refused {Action}: guest {Guest} holds matrix device {Mdev}", action, g.Guest, g.Holder.ToString());
                break;
            case MdevLimitReached l:
                logger.LogWarning("Refused {Action}: the limit of {Limit} matrix devices is reached", action, l.Limit);
                break;
            case DefinitionConflict d:
                logger.LogInformation("Refused {Action}: {Shared} APQNs shared by autostart definitions, {Owned} given to the host by the persistent masks: {Offenders} (dry run: {DryRun})",
                    action, d.Shared.Count, d.OwnedByHost.Count,
                    string.Join(", ", d.Shared.Concat(d.OwnedByHost).Select(o => $"{o.Apqn} {o.Definition}{(o.SharedWith is { } w ? $"/{w}" : "/host")}")), dryRun);
                break;
            case HostBusy b:
                logger.LogWarning("Refused {Action}: the s390-tools lock {LockFile} was held by another tool for {Waited}", action, b.LockFile, b.Waited);
                break;
            case HostUnavailable u:
                logger.LogWarning("Refused {Action}: the host cannot be read: {Reason}", action, u.Reason);
                break;
            case AdapterDeconfigured or AdapterOffline or NoOnlineSwitch or GuestManagedByLibvirt:
                logger.LogInformation("Refused {Action}: {ProblemType} {Refusal}", action, refusal.Code, refusal.ToString());
                break;
            case HostRefused h:
                logger.LogWarning("Refused {Action}: the host answered {Errno} to {Attribute} {Written} (dry run: {DryRun})", action, h.Errno.ToString(), h.Attribute, h.Written, dryRun);
                break;
            default:
                // Plain input rules (invalid-request, not-found) are answered, not logged.
                break;
        }
    }

    private static void Offenders(ILogger logger, string action, string problem, string mdev, string errno, IReadOnlyList<Core.Drivers.Offender> offenders, bool dryRun)
    {
        var dtos = OffenderDto.From(offenders);
        logger.LogWarning("Refused {Action}: {ProblemType} for matrix device {Mdev}, {Errno}, {OffenderCount} APQNs {@OffendingApqns} (dry run: {DryRun})",
            action, problem, mdev, errno, dtos.Count, dtos, dryRun);
    }

    /// <summary>"05.0004 (vfio_ap, mdev 0b1f…, guest guest-a), …" for the log line.</summary>
    private static string OffenderText(IReadOnlyList<OffenderDto> offenders) =>
        string.Join(", ", offenders.Select(o =>
            $"{o.Apqn} ({o.Driver}{(o.Mdev is null ? "" : ", mdev " + o.Mdev)}{(o.Guest is null ? "" : ", guest " + o.Guest)})"));
}
