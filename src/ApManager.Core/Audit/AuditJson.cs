using System.Text.Json;
using ApManager.Core.Drivers;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;
using ApManager.Core.State;

namespace ApManager.Core.Audit;

/// <summary>The JSON the audit trail keeps for resources, changes and refusals.</summary>
public static class AuditJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string? Serialize(object? value) => value is null ? null : JsonSerializer.Serialize(value, Options);

    /// <summary>A whole host at a glance: masks, how many adapters, queues and devices, the global version.</summary>
    public static object Host(ApSnapshot s) => new
    {
        apmask = s.Bus.Apmask.ToString(),
        aqmask = s.Bus.Aqmask.ToString(),
        adapters = s.Adapters.Count(),
        queues = s.Queues.Count(),
        mdevs = s.Mdevs.Count,
        guests = s.Guests.Count,
        version = s.Version,
    };

    public static object Bus(ApSnapshot s) => new { apmask = s.Bus.Apmask.ToString(), aqmask = s.Bus.Aqmask.ToString(), version = s.Bus.Version };

    public static object? Adapter(AdapterState? a) => a is null ? null : new { id = a.Id, configured = a.Configured, online = a.Online, version = a.Version };

    public static object? Queue(QueueState? q) => q is null ? null : new
    {
        apqn = q.Apqn.ToString(),
        driver = q.Driver,
        mdev = q.Mdev?.ToString(),
        guest = q.Guest,
        online = q.Online,
        version = q.Version,
    };

    public static object? Device(MatrixDevice? m) => m is null ? null : new
    {
        uuid = m.Id.ToString(),
        name = m.Name,
        adapters = m.Adapters.ToArray(),
        domains = m.Domains.ToArray(),
        controlDomains = m.ControlDomains.ToArray(),
        guest = m.Guest,
        guestMatrix = m.Shadow.Apqns.Select(q => q.ToString()).ToArray(),
        version = m.Version,
    };

    public static object Offenders(IReadOnlyList<Offender> offenders) => offenders.Select(o => new
    {
        apqn = o.Apqn.ToString(),
        adapter = (int)o.Apqn.Adapter,
        domain = (int)o.Apqn.Domain,
        driver = o.Driver,
        mdev = o.Mdev?.ToString(),
        guest = o.Guest,
    }).ToArray();

    /// <summary>What a committed step changed: the bus, rebound queues, devices and their guest matrices.</summary>
    public static string Changes(ApSnapshot after, SnapshotDiff diff, StepDelta delta) => Serialize(new
    {
        version = after.Version,
        bus = diff.BusChanged ? Bus(after) : null,
        adapters = diff.ChangedAdapters.Select(a => Adapter(after.Adapter(a))).ToArray(),
        rebound = delta.Rebound.Select(r => new { apqn = r.Apqn.ToString(), from = r.From, to = r.To }).ToArray(),
        switched = delta.Switched.Select(q => after.Queue(q) is { } queue ? new { apqn = q.ToString(), online = queue.Online, checkstopped = queue.Checkstopped } : null).ToArray(),
        mdevs = diff.ChangedDevices.Select(c => new
        {
            uuid = c.Id.ToString(),
            deleted = c.After is null,
            guest = c.After?.Guest,
            guestMatrixChanged = GuestMatrix.Visible(c.Before?.Shadow) != GuestMatrix.Visible(c.After?.Shadow),
            guestMatrix = c.After?.Shadow.Apqns.Select(q => q.ToString()).ToArray(),
            version = c.After?.Version,
        }).ToArray(),
    })!;

    /// <summary>A refusal's details: its problem name, errno and the members that say why.</summary>
    public static string Refusal(Refusal refusal) => Serialize(refusal switch
    {
        QueuesInUse q => new { problem = q.Code, attribute = q.Attribute, inputs = q.Inputs, errno = Errno(q), offendingApqns = Offenders(q.Offenders) },
        ApqnOwnedByHost o => new { problem = o.Code, mdev = o.Mdev.ToString(), errno = Errno(o), offendingApqns = Offenders(o.Offenders) },
        ApqnConflict c => new { problem = c.Code, mdev = c.Mdev.ToString(), errno = Errno(c), offendingApqns = Offenders(c.Offenders) },
        InvalidMask m => (object)new { problem = m.Code, attribute = m.Attribute, input = m.Input, errno = Errno(m), position = m.Position },
        IdOutOfRange r => new { problem = r.Code, kind = r.Kind, ids = r.Ids, max = r.Max, errno = Errno(r), more = r.More.Select(m => new { kind = m.Kind, ids = m.Ids, max = m.Max }).ToArray() },
        InUseCheckFailed f => new { problem = f.Code, driver = f.Driver, error = f.Error.Message },
        DefinitionConflict d => new
        {
            problem = d.Code,
            errno = Errno(d),
            definitions = d.Definitions.Select(x => x.ToString()).ToArray(),
            offendingApqns = d.Shared.Concat(d.OwnedByHost).Select(o => new { apqn = o.Apqn.ToString(), definition = o.Definition.ToString(), sharedWith = o.SharedWith?.ToString() }).ToArray(),
        },
        HostRefused h => new { problem = h.Code, attribute = h.Attribute, written = h.Written, errno = Errno(h) },
        _ => new { problem = refusal.Code, detail = refusal.ToString() },
    })!;

    private static string? Errno(Refusal refusal) => refusal.Errno == Core.Errno.None ? null : refusal.Errno.ToString();
}
