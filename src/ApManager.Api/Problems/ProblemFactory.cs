using System.Diagnostics;
using System.Globalization;
using ApManager.Api.Http;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ApManager.Api.Problems;

/// <summary>
/// The one place that turns core refusals and bad input into RFC 9457 problems, and logs each
/// refusal once as a structured event carrying the same offenders as the body.
/// </summary>
public static class ProblemFactory
{
    public static ProblemHttpResult Create(HttpContext context, ProblemType type, string detail, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Type = type.Uri,
            Title = type.Title,
            Status = type.Status,
            Detail = detail,
            Instance = context.Request.Path.Value,
        };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }
        problem.Extensions["traceId"] = Activity.Current?.Id ?? context.TraceIdentifier;
        return TypedResults.Problem(problem);
    }

    /// <summary>Maps a refusal to its problem, logging it once (Serilog structured properties).</summary>
    public static ProblemHttpResult FromRefusal(HttpContext context, Refusal refusal, bool dryRun = false)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ApManager.Refusals");
        var action = $"{context.Request.Method} {context.Request.Path}";
        switch (refusal)
        {
            case InvalidMask m:
                logger.LogInformation("Refused {Action}: {Attribute} input {Input} is {Errno} at position {Position} (dry run: {DryRun})",
                    action, m.Attribute, m.Input, m.Errno, m.Position, dryRun);
                return Create(context, ProblemCatalog.InvalidMask,
                    m.Errno == Core.Masks.MaskErrno.E2BIG
                        ? $"The {m.Attribute} write has more than {Core.Masks.MaskParser.MaxInputBytes} bytes."
                        : $"The {m.Attribute} write does not parse at position {m.Position}.",
                    new Dictionary<string, object?>
                    {
                        ["attribute"] = m.Attribute,
                        ["input"] = m.Input,
                        ["position"] = m.Position,
                        ["errno"] = m.Errno.ToString(),
                    });
            case QueuesInUse q:
            {
                var offenders = OffenderDto.From(q.Offenders);
                // The offenders travel as a structured property for structured sinks; the message
                // names them as plain text. Rendering the structure into every console line cost
                // about a seventh of the process CPU under a flood of refusals (CPU profile).
                using (logger.BeginScope(new Dictionary<string, object> { ["@OffendingApqns"] = offenders }))
                {
                    logger.LogWarning(
                        "Refused {Action}: {Attribute} change {Inputs} is {Errno}, {OffenderCount} queues in use: {Offenders} (dry run: {DryRun})",
                        action, q.Attribute, q.Inputs, "EBUSY", offenders.Count, OffenderText(offenders), dryRun);
                }
                var drivers = string.Join(", ", q.Offenders.Select(o => o.Driver).Distinct());
                return Create(context, ProblemCatalog.QueuesInUse,
                    $"The {q.Attribute} change would take {offenders.Count} {Plural(offenders.Count, "queue", "queues")} away from {drivers} while they are in use.",
                    new Dictionary<string, object?>
                    {
                        ["attribute"] = q.Attribute,
                        ["input"] = q.Inputs.Count == 1 ? q.Inputs.Values.First() : null,
                        ["inputs"] = q.Inputs,
                        ["errno"] = "EBUSY",
                        ["offendingApqns"] = offenders,
                    });
            }
            case InUseCheckFailed f:
                logger.LogError(f.Error, "Refused {Action}: the in_use callback of driver {Driver} failed while checking the {Attribute} change", action, f.Driver, f.Attribute);
                return Create(context, ProblemCatalog.InUseCheckFailed,
                    $"The in_use callback of driver '{f.Driver}' failed; the {f.Attribute} change was not made.",
                    new Dictionary<string, object?> { ["attribute"] = f.Attribute, ["driver"] = f.Driver });
            case VersionMismatch v:
                logger.LogInformation("Refused {Action}: If-Match {Expected} but the {Resource} is at version {Current}", action, v.Expected, v.Resource, v.Current);
                return Create(context, ProblemCatalog.VersionMismatch,
                    $"If-Match names version {v.Expected}, but the {v.Resource} is at version {v.Current}.",
                    new Dictionary<string, object?> { ["currentVersion"] = v.Current, ["currentETag"] = RequestInput.ETag(v.Current) });
            case Core.State.NotFound n:
                // The same kind GET /api/mdevs/{uuid} names, so clients see one spelling per resource.
                return NotFoundProblem(context, n.Kind == "mdev" ? "matrix device" : n.Kind, n.Id);
            case IdOutOfRange r:
            {
                var all = new[] { r }.Concat(r.More).ToList();
                logger.LogInformation("Refused {Action}: ids out of range {@OutOfRange} (ENODEV)", action, all.Select(x => new { x.Kind, x.Ids, x.Max }));
                return Create(context, ProblemCatalog.IdOutOfRange,
                    string.Join(" ", all.Select(x => $"{Capitalize(x.Kind)} {Plural(x.Ids.Count, "id", "ids")} {string.Join(", ", x.Ids)} {Plural(x.Ids.Count, "is", "are")} outside 0..{x.Max}.")),
                    new Dictionary<string, object?>
                    {
                        ["kind"] = r.Kind,
                        ["ids"] = r.Ids,
                        ["max"] = r.Max,
                        ["errno"] = "ENODEV",
                        ["outOfRange"] = all.Select(x => new { kind = x.Kind, ids = x.Ids, max = x.Max }).ToArray(),
                    });
            }
            case ApqnOwnedByHost o:
                return OffenderProblem(context, logger, action, ProblemCatalog.ApqnOwnedByHost, "EADDRNOTAVAIL", o.Mdev.ToString(), o.Offenders,
                    n => $"{n} {Plural(n, "APQN is", "APQNs are")} still owned by the host's default drivers (apmask and aqmask bits set).", dryRun);
            case ApqnConflict c:
                return OffenderProblem(context, logger, action, ProblemCatalog.ApqnConflict, "EADDRINUSE", c.Mdev.ToString(), c.Offenders,
                    n => $"{n} {Plural(n, "APQN is", "APQNs are")} already held by another matrix device.", dryRun);
            case MdevExists e:
                logger.LogInformation("Refused {Action}: matrix device {Mdev} exists", action, e.Mdev.ToString());
                return Create(context, ProblemCatalog.MdevExists, $"Matrix device {e.Mdev} exists already.",
                    new Dictionary<string, object?> { ["mdev"] = e.Mdev.ToString() });
            case MdevInUse u:
                logger.LogInformation("Refused {Action}: matrix device {Mdev} is used by guest {Guest}", action, u.Mdev.ToString(), u.Guest);
                return Create(context, ProblemCatalog.MdevInUse, $"Guest '{u.Guest}' is attached to matrix device {u.Mdev}.",
                    new Dictionary<string, object?> { ["mdev"] = u.Mdev.ToString(), ["guest"] = u.Guest });
            case GuestHasMdev g:
                logger.LogInformation("Refused {Action}: guest {Guest} holds matrix device {Mdev}", action, g.Guest, g.Holder.ToString());
                return Create(context, ProblemCatalog.GuestHasMdev, $"Guest '{g.Guest}' already holds matrix device {g.Holder}.",
                    new Dictionary<string, object?> { ["guest"] = g.Guest, ["mdev"] = g.Holder.ToString(), ["errno"] = "EPERM" });
            case MdevLimitReached l:
                logger.LogWarning("Refused {Action}: the limit of {Limit} matrix devices is reached", action, l.Limit);
                return Create(context, ProblemCatalog.MdevLimit, $"{l.Limit} matrix devices exist already, the configured maximum.",
                    new Dictionary<string, object?> { ["limit"] = l.Limit });
            case InvalidInput i:
                return Invalid(context, i.Field, i.Detail);
            default:
                throw new UnreachableException($"Unmapped refusal {refusal.GetType().Name}.");
        }
    }

    private static ProblemHttpResult OffenderProblem(
        HttpContext context, ILogger logger, string action, ProblemType type, string errno, string mdev,
        IReadOnlyList<Core.Drivers.Offender> offenders, Func<int, string> detail, bool dryRun)
    {
        var dtos = OffenderDto.From(offenders);
        logger.LogWarning("Refused {Action}: {ProblemType} for matrix device {Mdev}, {Errno}, {OffenderCount} APQNs {@OffendingApqns} (dry run: {DryRun})",
            action, type.Name, mdev, errno, dtos.Count, dtos, dryRun);
        return Create(context, type, detail(dtos.Count),
            new Dictionary<string, object?> { ["mdev"] = mdev, ["errno"] = errno, ["offendingApqns"] = dtos });
    }

    public static ProblemHttpResult NotFoundProblem(HttpContext context, string kind, string id) =>
        Create(context, ProblemCatalog.NotFound, $"There is no {kind} '{id}'.",
            new Dictionary<string, object?> { ["kind"] = kind, ["id"] = id });

    public static ProblemHttpResult Invalid(HttpContext context, string field, string detail) =>
        Create(context, ProblemCatalog.InvalidRequest, detail,
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });

    public static ProblemHttpResult InvalidBody(HttpContext context, string detail) =>
        Create(context, ProblemCatalog.InvalidBody, detail);

    public static ProblemHttpResult InvalidQuery(HttpContext context, string parameter, string? value, string detail) =>
        Create(context, ProblemCatalog.InvalidQuery, $"Query parameter '{parameter}'{(value is null ? string.Empty : $" = '{value}'")}: {detail}",
            new Dictionary<string, object?> { ["parameter"] = parameter, ["value"] = value });

    public static ProblemHttpResult UnsupportedMediaType(HttpContext context, string? mediaType, bool textAllowed) =>
        Create(context, ProblemCatalog.UnsupportedMediaType,
            $"Content-Type '{mediaType ?? "(none)"}' is not accepted here; send application/json{(textAllowed ? " or text/plain" : string.Empty)}.",
            new Dictionary<string, object?> { ["contentType"] = mediaType });

    public static ProblemHttpResult PayloadTooLarge(HttpContext context, int limit) =>
        Create(context, ProblemCatalog.PayloadTooLarge, $"The request body exceeds {limit.ToString(CultureInfo.InvariantCulture)} bytes.",
            new Dictionary<string, object?> { ["limit"] = limit });

    /// <summary>"05.0004 (vfio_ap, mdev 0b1f…, guest guest-a), …" for the log line.</summary>
    private static string OffenderText(IReadOnlyList<OffenderDto> offenders) =>
        string.Join(", ", offenders.Select(o =>
            $"{o.Apqn} ({o.Driver}{(o.Mdev is null ? "" : ", mdev " + o.Mdev)}{(o.Guest is null ? "" : ", guest " + o.Guest)})"));

    private static string Plural(int n, string one, string many) => n == 1 ? one : many;

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
