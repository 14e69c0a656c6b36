using ApManager.Api.Http;
using ApManager.Core.Refusals;
using Serilog.Events;
using ILogger = Serilog.ILogger;

namespace ApManager.Api.Problems;

/// <summary>
/// Logs each refusal once, as one structured event: offenders travel as a structured property
/// (<c>OffendingApqns</c>, a sequence of structures) for structured sinks, never as a line per APQN.
/// </summary>
/// <remarks>
/// Written through Serilog directly, with the offenders built as Serilog values by hand: through
/// Microsoft.Extensions.Logging the structure needed a logging scope (enriched into every event)
/// and reflection-based destructuring, together about a tenth of the CPU of a refused write under
/// wrk (perf profile, docs/performance.md). The request id is a property, for correlation with the
/// request log line.
/// </remarks>
public static class RefusalLog
{
    public const string Category = "ApManager.Refusals";

    /// <summary>Set in <see cref="HttpContext.Items"/> once a request's refusal is logged: its request line then stays at Debug.</summary>
    public const string LoggedKey = "ApManager.RefusalLogged";

    /// <summary>The host's Serilog logger for this category, carrying the request id.</summary>
    public static ILogger For(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.RequestServices.GetRequiredService<ILogger>().ForContext(
        [
            new Serilog.Core.Enrichers.PropertyEnricher(Serilog.Core.Constants.SourceContextPropertyName, Category),
            new Serilog.Core.Enrichers.PropertyEnricher("RequestId", context.TraceIdentifier),
        ]);
    }

    /// <summary>Logs the refusal; false for the plain input rules that are answered, not logged.</summary>
    public static bool Write(ILogger logger, string action, Refusal refusal, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(logger);
        switch (refusal)
        {
            case InvalidMask m:
                logger.Information("Refused {Action}: {Attribute} input {Input} is {Errno} at position {Position} (dry run: {DryRun})",
                    action, m.Attribute, m.Input, m.Errno.ToString(), m.Position, dryRun);
                break;
            case QueuesInUse q:
            {
                var offenders = OffenderDto.From(q.Offenders);
                // The message names the offenders as plain text; the structure rides beside it, unrendered
                // (rendering it into every console line cost about a seventh of the CPU under a flood of refusals).
                WithOffenders(logger, LogEventLevel.Warning, InUseTemplate,
                [
                    Scalar("Action", action), Scalar("Attribute", q.Attribute), new LogEventProperty("Inputs", Dictionary(q.Inputs)),
                    Scalar("Errno", q.Errno.ToString()), Scalar("OffenderCount", offenders.Count), Scalar("Offenders", OffenderText(offenders)), Scalar("DryRun", dryRun),
                ], offenders);
                break;
            }
            case InUseCheckFailed f:
                logger.Error(f.Error, "Refused {Action}: the in_use callback of driver {Driver} failed while checking the {Attribute} change", action, f.Driver, f.Attribute);
                break;
            case VersionMismatch v:
                logger.Information("Refused {Action}: If-Match {Expected} but the {Resource} is at version {Current}", action, v.Expected, v.Resource, v.Current);
                break;
            case IdOutOfRange r:
                logger.Information("Refused {Action}: ids out of range {@OutOfRange} (ENODEV)", action,
                    new[] { r }.Concat(r.More).Select(x => new { x.Kind, x.Ids, x.Max }));
                break;
            case ApqnOwnedByHost o:
                Offenders(logger, action, o.Code, o.Mdev.ToString(), o.Errno.ToString(), o.Offenders, dryRun);
                break;
            case ApqnConflict c:
                Offenders(logger, action, c.Code, c.Mdev.ToString(), c.Errno.ToString(), c.Offenders, dryRun);
                break;
            case MdevExists e:
                logger.Information("Refused {Action}: matrix device {Mdev} exists", action, e.Mdev.ToString());
                break;
            case MdevInUse u:
                logger.Information("Refused {Action}: matrix device {Mdev} is used by guest {Guest}", action, u.Mdev.ToString(), u.Guest);
                break;
            case GuestHasMdev g:
                logger.Information("Refused {Action}: guest {Guest} holds matrix device {Mdev}", action, g.Guest, g.Holder.ToString());
                break;
            case MdevLimitReached l:
                logger.Warning("Refused {Action}: the limit of {Limit} matrix devices is reached", action, l.Limit);
                break;
            case DefinitionConflict d:
                logger.Information("Refused {Action}: {Shared} APQNs shared by autostart definitions, {Owned} given to the host by the persistent masks: {Offenders} (dry run: {DryRun})",
                    action, d.Shared.Count, d.OwnedByHost.Count,
                    string.Join(", ", d.Shared.Concat(d.OwnedByHost).Select(o => $"{o.Apqn} {o.Definition}{(o.SharedWith is { } w ? $"/{w}" : "/host")}")), dryRun);
                break;
            case HostBusy b:
                logger.Warning("Refused {Action}: the s390-tools lock {LockFile} was held by another tool for {Waited}", action, b.LockFile, b.Waited);
                break;
            case HostUnavailable u:
                logger.Warning("Refused {Action}: the host cannot be read: {Reason}", action, u.Reason);
                break;
            case AdapterDeconfigured or AdapterOffline or NoOnlineSwitch or GuestManagedByLibvirt:
                logger.Information("Refused {Action}: {ProblemType} {Refusal}", action, refusal.Code, refusal.ToString());
                break;
            case HostRefused h:
                logger.Warning("Refused {Action}: the host answered {Errno} to {Attribute} {Written} (dry run: {DryRun})", action, h.Errno.ToString(), h.Attribute, h.Written, dryRun);
                break;
            default:
                // Plain input rules (invalid-request, not-found) are answered, not logged.
                return false;
        }
        return true;
    }

    private static void Offenders(ILogger logger, string action, string problem, string mdev, string errno, IReadOnlyList<Core.Drivers.Offender> offenders, bool dryRun)
    {
        var dtos = OffenderDto.From(offenders);
        WithOffenders(logger, LogEventLevel.Warning, DeviceTemplate,
        [
            Scalar("Action", action), Scalar("ProblemType", problem), Scalar("Mdev", mdev), Scalar("Errno", errno),
            Scalar("OffenderCount", dtos.Count), Scalar("Offenders", OffenderText(dtos)), Scalar("DryRun", dryRun),
        ], dtos);
    }

    private static readonly MessageTemplate InUseTemplate = new Serilog.Parsing.MessageTemplateParser().Parse(
        "Refused {Action}: {Attribute} change {Inputs} is {Errno}, {OffenderCount} queues in use: {Offenders} (dry run: {DryRun})");

    private static readonly MessageTemplate DeviceTemplate = new Serilog.Parsing.MessageTemplateParser().Parse(
        "Refused {Action}: {ProblemType} for matrix device {Mdev}, {Errno}, {OffenderCount} APQNs: {Offenders} (dry run: {DryRun})");

    private static LogEventProperty Scalar(string name, object? value) => new(name, new ScalarValue(value));

    /// <summary>What Serilog's capture makes of a string dictionary, without its reflection.</summary>
    private static DictionaryValue Dictionary(IReadOnlyDictionary<string, string> values) =>
        new(values.Select(pair => KeyValuePair.Create(new ScalarValue(pair.Key), (LogEventPropertyValue)new ScalarValue(pair.Value))));

    /// <summary>
    /// One event: the message's properties and <c>OffendingApqns</c>, all built here. Serilog's capture
    /// of the same values (reflection over the dictionary and scalars) was ~2% of a refused write
    /// under wrk (docs/performance.md); the properties are the ones it made.
    /// </summary>
    private static void WithOffenders(ILogger logger, LogEventLevel level, MessageTemplate template, LogEventProperty[] properties, IReadOnlyList<OffenderDto> offenders)
    {
        if (!logger.IsEnabled(level))
        {
            return;
        }
        var structures = new LogEventPropertyValue[offenders.Count];
        for (var i = 0; i < offenders.Count; i++)
        {
            var o = offenders[i];
            structures[i] = new StructureValue(
            [
                new LogEventProperty(nameof(OffenderDto.Apqn), new ScalarValue(o.Apqn)),
                new LogEventProperty(nameof(OffenderDto.Adapter), new ScalarValue(o.Adapter)),
                new LogEventProperty(nameof(OffenderDto.Domain), new ScalarValue(o.Domain)),
                new LogEventProperty(nameof(OffenderDto.Driver), new ScalarValue(o.Driver)),
                new LogEventProperty(nameof(OffenderDto.Mdev), new ScalarValue(o.Mdev)),
                new LogEventProperty(nameof(OffenderDto.Guest), new ScalarValue(o.Guest)),
            ], nameof(OffenderDto));
        }
        logger.Write(new LogEvent(DateTimeOffset.Now, level, null, template, [.. properties, new LogEventProperty("OffendingApqns", new SequenceValue(structures))]));
    }

    /// <summary>"05.0004 (vfio_ap, mdev 0b1f…, guest guest-a), …" for the log line.</summary>
    private static string OffenderText(IReadOnlyList<OffenderDto> offenders) =>
        string.Join(", ", offenders.Select(o =>
            $"{o.Apqn} ({o.Driver}{(o.Mdev is null ? "" : ", mdev " + o.Mdev)}{(o.Guest is null ? "" : ", guest " + o.Guest)})"));
}
