using System.Text.Json;
using ApManager.Core;
using ApManager.Core.Audit;
using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;
using ApManager.Core.State;
using ApManager.Core.Tests.Support;
using static ApManager.Core.Tests.Support.Demo;

namespace ApManager.Core.Tests.Audit;

/// <summary>
/// The audit trail's JSON is written by hand (Utf8JsonWriter) on the write path; these tests hold
/// it to the text the serializer writes for the shapes the trail has always kept (the oracle below
/// is the former reflection-based code), over the demo host and steps that touch every member.
/// </summary>
public class AuditJsonTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void ViewsOfEveryResourceMatchTheSerializersText()
    {
        foreach (var s in SnapshotsAlongTheWay())
        {
            Assert.Equal(Oracle(OracleShapes.Bus(s)), AuditJson.Bus(s));
            Assert.Equal(Oracle(OracleShapes.Host(s)), AuditJson.Host(s));
            foreach (var a in s.Adapters)
            {
                Assert.Equal(Oracle(OracleShapes.Adapter(a)), AuditJson.Adapter(a));
            }
            foreach (var q in s.Queues)
            {
                Assert.Equal(Oracle(OracleShapes.Queue(q)), AuditJson.Queue(q));
            }
            foreach (var m in s.Mdevs)
            {
                Assert.Equal(Oracle(OracleShapes.Device(m)), AuditJson.Device(m));
            }
        }
        Assert.Null(AuditJson.Adapter(null));
        Assert.Null(AuditJson.Queue(null));
        Assert.Null(AuditJson.Device(null));
    }

    [Fact]
    public void ChangesOfEveryKindOfStepMatchTheSerializersText()
    {
        var steps = SnapshotsAlongTheWay().ToList();
        Assert.True(steps.Count > 5);
        for (var i = 1; i < steps.Count; i++)
        {
            var (before, after) = (steps[i - 1], steps[i]);
            var diff = SnapshotDiff.Between(before, after);
            // Every queue as rebound and switched, and one that does not exist (switched shows it as null).
            var queues = after.Queues.Take(4).ToList();
            var delta = new StepDelta(
                [.. queues.Select(q => new Rebound(q.Apqn, "cex4queue", q.Driver)), new Rebound(Q("0a.0001"), null, "vfio_ap")],
                [.. queues.Select(q => q.Apqn), Q("fe.00fe")]);
            Assert.Equal(Oracle(OracleShapes.Changes(after, diff, delta)), AuditJson.Changes(after, diff, delta));
        }
    }

    [Fact]
    public void RefusalsOfEveryKindMatchTheSerializersText()
    {
        var system = NewSystem();
        var refusals = new List<Refusal>
        {
            system.Apmask("+5,+6").Refused<QueuesInUse>(),
            system.Apmask("+5,\"<tag>\"").Refusal!,
            system.AssignAdapter(B, 5).Refusal!,
            system.AssignAdapter(C, 5).Refusal!,
            system.AssignAdapter(B, 0).Refusal!,
            system.AssignAdapter(A, 999).Refusal!,
            new HostRefused(Errno.EBUSY, "apmask", "0xff\u00e9\"\\"),
            new QueuesInUse("aqmask", new Dictionary<string, string> { ["apmask"] = "+5", ["aq\"mask"] = "+<6>" }, []),
            new InvalidMask("aqmask", "+\u2028", Errno.EINVAL, 1),
            new InUseCheckFailed("apmask", "vfio_ap", new InvalidOperationException("boom")),
            new NotFound("mdev", "x"),
        };
        Assert.Contains(refusals, r => r is ApqnConflict);
        Assert.Contains(refusals, r => r is ApqnOwnedByHost);
        Assert.Contains(refusals, r => r is InvalidMask);
        foreach (var refusal in refusals)
        {
            Assert.Equal(Oracle(OracleShapes.Refusal(refusal)), AuditJson.Refusal(refusal));
        }
    }

    /// <summary>The demo host, then steps that rebind, switch, reconfigure, create, assign, attach, detach and delete.</summary>
    private static IEnumerable<ApSnapshot> SnapshotsAlongTheWay()
    {
        var system = NewSystem();
        yield return system.Current;
        system.Apmask("-7").Ok();
        yield return system.Current;
        system.SetAdapterOnline(7, false).Ok();
        yield return system.Current;
        system.AssignAdapter(B, 7).Ok();
        yield return system.Current;
        var d = MdevId.Parse("d0000000-0000-4000-8000-00000000000d");
        system.CreateMdev(d, "name with \"quotes\" and <angles>").Ok();
        yield return system.Current;
        system.AssignDomain(d, 70).Ok();
        yield return system.Current;
        system.AttachGuest(d, "guest-d").Ok();
        yield return system.Current;
        system.DetachGuest(A).Ok();
        yield return system.Current;
        system.DetachGuest(d).Ok();
        system.DeleteMdev(d).Ok();
        yield return system.Current;
        system.Assign(B, ApManager.Core.Host.AssignTarget.Adapter, 7, assign: false).Ok();
        yield return system.Current;
        system.Apmask("+7").Ok();
        yield return system.Current;
    }

    private static string Oracle(object? shape) => JsonSerializer.Serialize(shape, Web);

    /// <summary>The shapes as the serializer saw them before the writer (anonymous objects).</summary>
    private static class OracleShapes
    {
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

        public static object Changes(ApSnapshot after, SnapshotDiff diff, StepDelta delta) => new
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
        };

        public static object Refusal(Refusal refusal) => refusal switch
        {
            QueuesInUse q => new { problem = q.Code, attribute = q.Attribute, inputs = q.Inputs, errno = Errno(q), offendingApqns = Offenders(q.Offenders) },
            ApqnOwnedByHost o => new { problem = o.Code, mdev = o.Mdev.ToString(), errno = Errno(o), offendingApqns = Offenders(o.Offenders) },
            ApqnConflict c => new { problem = c.Code, mdev = c.Mdev.ToString(), errno = Errno(c), offendingApqns = Offenders(c.Offenders) },
            InvalidMask m => new { problem = m.Code, attribute = m.Attribute, input = m.Input, errno = Errno(m), position = m.Position },
            IdOutOfRange r => new { problem = r.Code, kind = r.Kind, ids = r.Ids, max = r.Max, errno = Errno(r), more = r.More.Select(m => new { kind = m.Kind, ids = m.Ids, max = m.Max }).ToArray() },
            InUseCheckFailed f => new { problem = f.Code, driver = f.Driver, error = f.Error.Message },
            HostRefused h => new { problem = h.Code, attribute = h.Attribute, written = h.Written, errno = Errno(h) },
            _ => (object)new { problem = refusal.Code, detail = refusal.ToString() },
        };

        private static string? Errno(Refusal refusal) => refusal.Errno == Core.Errno.None ? null : refusal.Errno.ToString();
    }
}
