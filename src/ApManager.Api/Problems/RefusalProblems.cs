using System.Diagnostics;
using ApManager.Api.Http;
using ApManager.Core.Masks;
using ApManager.Core.Refusals;
using ApManager.Core;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApManager.Api.Problems;

/// <summary>The one mapping from a core refusal to its problem: the type its code names, the detail and the typed body.</summary>
public static class RefusalProblems
{
    public static ProblemHttpResult From(HttpContext context, Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var type = ProblemCatalog.Find(refusal.Code) ?? throw new UnreachableException($"Refusal code '{refusal.Code}' has no problem type.");
        return refusal switch
        {
            InvalidMask m => ProblemFactory.Result(context, type,
                m.Errno == Errno.E2BIG
                    ? $"The {m.Attribute} write has more than {MaskParser.MaxInputBytes} bytes."
                    : $"The {m.Attribute} write does not parse at position {m.Position}.",
                new InvalidMaskProblem { Attribute = m.Attribute, Input = m.Input, Position = m.Position, Errno = m.Errno.ToString() }),
            QueuesInUse q => ProblemFactory.Result(context, type,
                $"The {q.Attribute} change would take {q.Offenders.Count} {Plural(q.Offenders.Count, "queue", "queues")} away from {string.Join(", ", q.Offenders.Select(o => o.Driver).Distinct())} while they are in use.",
                new QueuesInUseProblem
                {
                    Attribute = q.Attribute,
                    Input = q.Inputs.Count == 1 ? q.Inputs.Values.First() : null,
                    Inputs = q.Inputs,
                    Errno = q.Errno.ToString(),
                    OffendingApqns = OffenderDto.From(q.Offenders),
                }),
            InUseCheckFailed f => ProblemFactory.Result(context, type,
                $"The in_use callback of driver '{f.Driver}' failed; the {f.Attribute} change was not made.",
                new InUseCheckFailedProblem { Attribute = f.Attribute, Driver = f.Driver }),
            VersionMismatch v => ProblemFactory.Result(context, type,
                $"If-Match names no current version: the {v.Resource} is at version {v.Current}.",
                new VersionMismatchProblem { CurrentVersion = v.Current, CurrentETag = ETags.Format(v.Current) }),
            // The same kind GET /api/mdevs/{uuid} names, so clients see one spelling per resource.
            Core.Refusals.NotFound n => ProblemFactory.NotFoundProblem(context, n.Kind == "mdev" ? "matrix device" : n.Kind, n.Id),
            IdOutOfRange r => OutOfRange(context, type, r),
            ApqnOwnedByHost o => ProblemFactory.Result(context, type,
                $"{o.Offenders.Count} {Plural(o.Offenders.Count, "APQN is", "APQNs are")} still owned by the host's default drivers (apmask and aqmask bits set).",
                new ApqnOwnedByHostProblem { Mdev = o.Mdev.ToString(), Errno = o.Errno.ToString(), OffendingApqns = OffenderDto.From(o.Offenders) }),
            ApqnConflict c => ProblemFactory.Result(context, type,
                $"{c.Offenders.Count} {Plural(c.Offenders.Count, "APQN is", "APQNs are")} already held by another matrix device.",
                new ApqnConflictProblem { Mdev = c.Mdev.ToString(), Errno = c.Errno.ToString(), OffendingApqns = OffenderDto.From(c.Offenders) }),
            MdevExists e => ProblemFactory.Result(context, type, $"Matrix device {e.Mdev} exists already.", new MdevExistsProblem { Mdev = e.Mdev.ToString() }),
            MdevInUse u => ProblemFactory.Result(context, type, $"Guest '{u.Guest}' is attached to matrix device {u.Mdev}.",
                new MdevInUseProblem { Mdev = u.Mdev.ToString(), Guest = u.Guest }),
            GuestHasMdev g => ProblemFactory.Result(context, type, $"Guest '{g.Guest}' already holds matrix device {g.Holder}.",
                new GuestHasMdevProblem { Guest = g.Guest, Mdev = g.Holder.ToString(), Errno = g.Errno.ToString() }),
            MdevLimitReached l => ProblemFactory.Result(context, type, $"{l.Limit} matrix devices exist already, the configured maximum.",
                new LimitProblem { Limit = l.Limit }),
            InvalidInput i => ProblemFactory.Invalid(context, i.Field, i.Detail),
            AdapterDeconfigured d => ProblemFactory.Result(context, type,
                d.Queue is { } q
                    ? $"Queue {q} cannot be set online: adapter {d.Adapter:x2} or the queue is {(d.Checkstopped ? "check-stopped" : "deconfigured")}."
                    : $"Adapter {d.Adapter:x2} cannot be set online: it is {(d.Checkstopped ? "check-stopped" : "deconfigured")}.",
                new AdapterDeconfiguredProblem { Adapter = d.Adapter, Apqn = d.Queue?.ToString(), Checkstopped = d.Checkstopped, Errno = d.Errno.ToString() }),
            AdapterOffline o => ProblemFactory.Result(context, type, $"Queue {o.Queue} cannot be set online while adapter {o.Queue.Adapter:x2} is offline.",
                new AdapterOfflineProblem { Apqn = o.Queue.ToString(), Adapter = o.Queue.Adapter, Errno = o.Errno.ToString() }),
            NoOnlineSwitch n => ProblemFactory.Result(context, type,
                $"Queue {n.Queue} is bound to {n.Driver ?? "no driver"}: only queues of the host's zcrypt driver (cex4queue) have an online switch.",
                new NoOnlineSwitchProblem { Apqn = n.Queue.ToString(), Driver = n.Driver, Errno = n.Errno.ToString() }),
            GuestManagedByLibvirt g => ProblemFactory.Result(context, type,
                $"The guest of matrix device {g.Mdev} is the libvirt domain that uses it; start or stop that domain instead.",
                new MdevProblem { Mdev = g.Mdev.ToString() }),
            UnsupportedOnHost u => ProblemFactory.Result(context, type, u.Reason,
                new UnsupportedOnHostProblem { Operation = u.Operation, Errno = u.Errno.ToString() }),
            HostBusy b => RetryShortly(context, ProblemFactory.Result(context, type,
                $"{b.LockFile} was held by another tool for {b.Waited.TotalSeconds:0.#} s; nothing changed, retry shortly.",
                new HostBusyProblem { LockFile = b.LockFile, WaitedSeconds = Math.Round(b.Waited.TotalSeconds, 1) })),
            HostUnavailable u => RetryShortly(context, ProblemFactory.Result(context, type,
                $"The host cannot be read: {u.Reason} Nothing changed.", new HostUnavailableProblem { Reason = u.Reason })),
            HostRefused h => ProblemFactory.Result(context, type, $"The host answered {h.Errno} to the write of {h.Attribute}.",
                new HostRefusedProblem { Attribute = h.Attribute, Written = h.Written, Errno = h.Errno.ToString() }),
            DefinitionConflict d => DefinitionConflictOf(context, type, d),
            _ => throw new UnreachableException($"Unmapped refusal {refusal.GetType().Name}."),
        };
    }

    /// <summary>Another tool holds the host's lock: a client may try again in a second (RFC 9110 Retry-After).</summary>
    private static ProblemHttpResult RetryShortly(HttpContext context, ProblemHttpResult result)
    {
        context.Response.Headers.RetryAfter = "1";
        return result;
    }

    private static ProblemHttpResult OutOfRange(HttpContext context, ProblemType type, IdOutOfRange r)
    {
        var all = new[] { r }.Concat(r.More).ToList();
        return ProblemFactory.Result(context, type,
            string.Join(" ", all.Select(x => $"{Capitalize(x.Kind)} {Plural(x.Ids.Count, "id", "ids")} {string.Join(", ", x.Ids)} {Plural(x.Ids.Count, "is", "are")} outside 0..{x.Max}.")),
            new IdOutOfRangeProblem
            {
                Kind = r.Kind,
                Ids = r.Ids,
                Max = r.Max,
                Errno = r.Errno.ToString(),
                OutOfRange = [.. all.Select(x => new IdRangeDto(x.Kind, x.Ids, x.Max))],
            });
    }

    private static ProblemHttpResult DefinitionConflictOf(HttpContext context, ProblemType type, DefinitionConflict d)
    {
        // The guests of the active devices with those UUIDs, where there are any.
        var current = context.RequestServices.GetRequiredService<Core.State.ApSystem>().Current;
        string? Guest(Core.Matrix.MdevId? id) => id is { } x ? current.Mdev(x)?.Guest : null;
        var offenders = d.Shared.Select(o => (o, "shared")).Concat(d.OwnedByHost.Select(o => (o, "owned-by-host")))
            .Select(x => new DefinitionOffenderDto(x.o.Apqn.ToString(), x.o.Definition.ToString(), x.o.SharedWith?.ToString(), x.Item2, Guest(x.o.Definition), Guest(x.o.SharedWith)))
            .ToList();
        var parts = new List<string>();
        if (d.Shared.Count > 0)
        {
            parts.Add($"{d.Shared.Count} {Plural(d.Shared.Count, "APQN is", "APQNs are")} held by two autostart definitions");
        }
        if (d.OwnedByHost.Count > 0)
        {
            parts.Add($"{d.OwnedByHost.Count} {Plural(d.OwnedByHost.Count, "APQN of an autostart definition is", "APQNs of autostart definitions are")} given to the host by the persistent masks");
        }
        return ProblemFactory.Result(context, type, $"After a reboot {string.Join(", and ", parts)}.",
            new DefinitionConflictProblem { Errno = d.Errno.ToString(), Definitions = [.. d.Definitions.Select(x => x.ToString())], OffendingApqns = offenders });
    }

    private static string Plural(int n, string one, string many) => n == 1 ? one : many;

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
