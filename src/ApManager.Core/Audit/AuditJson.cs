using System.Buffers;
using System.Text;
using System.Text.Json;
using ApManager.Core.Masks;
using ApManager.Core.Drivers;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;
using ApManager.Core.State;

namespace ApManager.Core.Audit;

/// <summary>The JSON the audit trail keeps for resources, changes and refusals.</summary>
/// <remarks>
/// Every accepted or refused write builds its record under the writer lock, so the shapes written
/// on every attempt (the resource views, a step's changes, a refusal's offenders) are written with
/// a <see cref="Utf8JsonWriter"/>: serialising anonymous objects by reflection was 5–6% of a
/// write's CPU in a profile under wrk (docs/performance.md). The text is the same as
/// <c>JsonSerializer</c> with the web defaults writes (tests compare the two).
/// </remarks>
public static class AuditJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static string? Serialize(object? value) => value is null ? null : JsonSerializer.Serialize(value, Options);

    /// <summary>JSON written by <paramref name="write"/> into this thread's buffer (writers must not call back into another top-level method).</summary>
    private static string Write<T>(T value, Action<Utf8JsonWriter, T> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        write(writer, value);
        writer.Flush();
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > 64 * 1024)
        {
            // A large host's view once in a while: not kept per thread.
            t_buffer = null;
            t_writer = null;
        }
        return text;
    }

    /// <summary>A whole host at a glance: masks, how many adapters, queues and devices, the global version.</summary>
    public static string Host(ApSnapshot s) => Write(s, static (w, s) =>
    {
        w.WriteStartObject();
        WriteMask(w, "apmask", s.Bus.Apmask);
        WriteMask(w, "aqmask", s.Bus.Aqmask);
        w.WriteNumber("adapters", s.Adapters.Count());
        w.WriteNumber("queues", s.Queues.Count());
        w.WriteNumber("mdevs", s.Mdevs.Count);
        w.WriteNumber("guests", s.Guests.Count);
        w.WriteNumber("version", s.Version);
        w.WriteEndObject();
    });

    public static string Bus(ApSnapshot s) => Write(s, static (w, s) => WriteBus(w, s));

    private static void WriteBus(Utf8JsonWriter w, ApSnapshot s)
    {
        w.WriteStartObject();
        WriteMask(w, "apmask", s.Bus.Apmask);
        WriteMask(w, "aqmask", s.Bus.Aqmask);
        w.WriteNumber("version", s.Bus.Version);
        w.WriteEndObject();
    }

    private static void WriteMask(Utf8JsonWriter w, string name, ApMask mask)
    {
        Span<char> text = stackalloc char[ApMask.TextLength];
        mask.Format(text);
        w.WriteString(name, text);
    }

    public static string? Adapter(AdapterState? a) => a is null ? null : Write(a, static (w, a) => WriteAdapter(w, a));

    private static void WriteAdapter(Utf8JsonWriter w, AdapterState? a)
    {
        if (a is null)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartObject();
        w.WriteNumber("id", a.Id);
        w.WriteBoolean("configured", a.Configured);
        w.WriteBoolean("online", a.Online);
        w.WriteNumber("version", a.Version);
        w.WriteEndObject();
    }

    public static string? Queue(QueueState? q) => q is null ? null : Write(q, static (w, q) =>
    {
        w.WriteStartObject();
        w.WriteString("apqn", q.Apqn.ToString());
        w.WriteString("driver", q.Driver);
        w.WriteString("mdev", q.Mdev?.ToString());
        w.WriteString("guest", q.Guest);
        w.WriteBoolean("online", q.Online);
        w.WriteNumber("version", q.Version);
        w.WriteEndObject();
    });

    public static string? Device(MatrixDevice? m) => m is null ? null : Write(m, static (w, m) =>
    {
        w.WriteStartObject();
        w.WriteString("uuid", m.Id.ToString());
        w.WriteString("name", m.Name);
        Numbers(w, "adapters", m.Adapters.ToArray());
        Numbers(w, "domains", m.Domains.ToArray());
        Numbers(w, "controlDomains", m.ControlDomains.ToArray());
        w.WriteString("guest", m.Guest);
        Apqns(w, "guestMatrix", m.Shadow.Apqns);
        w.WriteNumber("version", m.Version);
        w.WriteEndObject();
    });

    private static void Numbers(Utf8JsonWriter w, string name, IEnumerable<int> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }
        w.WriteEndArray();
    }

    private static void Apqns(Utf8JsonWriter w, string name, IEnumerable<Apqn> apqns)
    {
        w.WriteStartArray(name);
        foreach (var q in apqns)
        {
            w.WriteStringValue(q.ToString());
        }
        w.WriteEndArray();
    }

    private static void Offenders(Utf8JsonWriter w, IReadOnlyList<Offender> offenders)
    {
        w.WriteStartArray("offendingApqns");
        foreach (var o in offenders)
        {
            w.WriteStartObject();
            w.WriteString("apqn", o.Apqn.ToString());
            w.WriteNumber("adapter", (int)o.Apqn.Adapter);
            w.WriteNumber("domain", (int)o.Apqn.Domain);
            w.WriteString("driver", o.Driver);
            w.WriteString("mdev", o.Mdev?.ToString());
            w.WriteString("guest", o.Guest);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>What a committed step changed: the bus, rebound queues, devices and their guest matrices.</summary>
    public static string Changes(ApSnapshot after, SnapshotDiff diff, StepDelta delta) => Write((after, diff, delta), static (w, x) =>
    {
        var (after, diff, delta) = x;
        w.WriteStartObject();
        w.WriteNumber("version", after.Version);
        w.WritePropertyName("bus");
        if (diff.BusChanged)
        {
            WriteBus(w, after);
        }
        else
        {
            w.WriteNullValue();
        }
        w.WriteStartArray("adapters");
        foreach (var a in diff.ChangedAdapters)
        {
            WriteAdapter(w, after.Adapter(a));
        }
        w.WriteEndArray();
        w.WriteStartArray("rebound");
        foreach (var r in delta.Rebound)
        {
            w.WriteStartObject();
            w.WriteString("apqn", r.Apqn.ToString());
            w.WriteString("from", r.From);
            w.WriteString("to", r.To);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("switched");
        foreach (var q in delta.Switched)
        {
            if (after.Queue(q) is not { } queue)
            {
                w.WriteNullValue();
                continue;
            }
            w.WriteStartObject();
            w.WriteString("apqn", q.ToString());
            w.WriteBoolean("online", queue.Online);
            w.WriteBoolean("checkstopped", queue.Checkstopped);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("mdevs");
        foreach (var c in diff.ChangedDevices)
        {
            w.WriteStartObject();
            w.WriteString("uuid", c.Id.ToString());
            w.WriteBoolean("deleted", c.After is null);
            w.WriteString("guest", c.After?.Guest);
            w.WriteBoolean("guestMatrixChanged", GuestMatrix.Visible(c.Before?.Shadow) != GuestMatrix.Visible(c.After?.Shadow));
            if (c.After is { } device)
            {
                Apqns(w, "guestMatrix", device.Shadow.Apqns);
                w.WriteNumber("version", device.Version);
            }
            else
            {
                w.WriteNull("guestMatrix");
                w.WriteNull("version");
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>A refusal's details: its problem name, errno and the members that say why.</summary>
    public static string Refusal(Refusal refusal) => refusal switch
    {
        QueuesInUse or ApqnOwnedByHost or ApqnConflict or InvalidMask or HostRefused => Write(refusal, static (w, r) => WriteRefusal(w, r)),
        _ => Serialize(Other(refusal))!,
    };

    /// <summary>The refusals a mask or assignment write can meet on every attempt, written directly.</summary>
    private static void WriteRefusal(Utf8JsonWriter w, Refusal refusal)
    {
        w.WriteStartObject();
        w.WriteString("problem", refusal.Code);
        switch (refusal)
        {
            case QueuesInUse q:
                w.WriteString("attribute", q.Attribute);
                w.WriteStartObject("inputs");
                foreach (var (key, value) in q.Inputs)
                {
                    w.WriteString(key, value);
                }
                w.WriteEndObject();
                w.WriteString("errno", Errno(q));
                Offenders(w, q.Offenders);
                break;
            case ApqnOwnedByHost o:
                w.WriteString("mdev", o.Mdev.ToString());
                w.WriteString("errno", Errno(o));
                Offenders(w, o.Offenders);
                break;
            case ApqnConflict c:
                w.WriteString("mdev", c.Mdev.ToString());
                w.WriteString("errno", Errno(c));
                Offenders(w, c.Offenders);
                break;
            case InvalidMask m:
                w.WriteString("attribute", m.Attribute);
                w.WriteString("input", m.Input);
                w.WriteString("errno", Errno(m));
                w.WriteNumber("position", m.Position);
                break;
            case HostRefused h:
                w.WriteString("attribute", h.Attribute);
                w.WriteString("written", h.Written);
                w.WriteString("errno", Errno(h));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(refusal));
        }
        w.WriteEndObject();
    }

    /// <summary>The rarer refusals, serialised from their shapes.</summary>
    private static object Other(Refusal refusal) => refusal switch
    {
        IdOutOfRange r => new { problem = r.Code, kind = r.Kind, ids = r.Ids, max = r.Max, errno = Errno(r), more = r.More.Select(m => new { kind = m.Kind, ids = m.Ids, max = m.Max }).ToArray() },
        InUseCheckFailed f => new { problem = f.Code, driver = f.Driver, error = f.Error.Message },
        DefinitionConflict d => new
        {
            problem = d.Code,
            errno = Errno(d),
            definitions = d.Definitions.Select(x => x.ToString()).ToArray(),
            offendingApqns = d.Shared.Concat(d.OwnedByHost).Select(o => new { apqn = o.Apqn.ToString(), definition = o.Definition.ToString(), sharedWith = o.SharedWith?.ToString() }).ToArray(),
        },
        _ => new { problem = refusal.Code, detail = refusal.ToString() },
    };

    private static string? Errno(Refusal refusal) => refusal.Errno == Core.Errno.None ? null : refusal.Errno.ToString();
}
