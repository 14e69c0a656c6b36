using System.Globalization;
using System.Text;
using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Host.Sysfs;

/// <summary>
/// Applies each write to the real host (SPEC §11.3) as <c>write(2)</c> calls whose errno is the
/// kernel's answer: one write per attribute; both masks as two writes in an order the kernel
/// accepts, the first undone if the second fails; a whole device configuration through
/// <c>ap_config</c> where the kernel has it, otherwise as single assignments undone on failure.
/// </summary>
internal sealed class SysfsWriter(SysfsLayout layout)
{
    /// <summary>The write the kernel refused last (the first refused one of a sequence; undo writes do not replace it).</summary>
    public RefusedWrite? LastRefused { get; private set; }

    public Errno Apply(HostWrite write, HostState current)
    {
        LastRefused = null;
        return Dispatch(write, current);
    }

    private Errno Dispatch(HostWrite write, HostState current) => write switch
    {
        WriteMasks w => Masks(w, current),
        CreateDevice c => Write(layout.Types + "create", c.Id + "\n"),
        RemoveDevice r => Write(layout.Device(r.Id) + "remove", "1\n"),
        AssignId a => Write(layout.Device(a.Id) + $"{(a.Assign ? "assign" : "unassign")}_{a.Target.AttributeName()}",
            a.Value.ToString(CultureInfo.InvariantCulture) + "\n"),
        WriteDeviceConfig c => Config(c, current),
        ConfigureCard c => Write(layout.Card(c.Adapter) + "config", c.Configured ? "1\n" : "0\n"),
        SetCardOnline o => Write(layout.Card(o.Adapter) + "online", o.Online ? "1\n" : "0\n"),
        SetQueueOnline o => Write(layout.Queue(o.Apqn) + "online", o.Online ? "1\n" : "0\n"),
        // Guests are libvirt's, drivers modprobe's; a whole configuration is not one kernel write.
        _ => Errno.EOPNOTSUPP,
    };

    private static Errno Result(int errno) => (Errno)errno;

    private Errno Write(string path, string text) => Write(path, Encoding.ASCII.GetBytes(text));

    private Errno Write(string path, ReadOnlySpan<byte> bytes)
    {
        var errno = Result(Native.WriteOnce(path, bytes));
        if (errno != Errno.None && LastRefused is null)
        {
            LastRefused = new RefusedWrite(path.StartsWith(layout.Root, StringComparison.Ordinal) ? "/" + path[layout.Root.Length..].TrimStart('/') : path,
                Encoding.ASCII.GetString(bytes).TrimEnd('\n', '\0'));
        }
        return errno;
    }

    /// <summary>
    /// One mask as written; both in the order whose intermediate state the kernel accepts (each
    /// write checks only the bits it sets, against the other mask as it is then), the first one
    /// written back if the second is refused.
    /// </summary>
    private Errno Masks(WriteMasks w, HostState current)
    {
        if (w.Apmask is not { } ap)
        {
            return Write(layout.Bus + "aqmask", w.Aqmask!.Value.Span);
        }
        if (w.Aqmask is not { } aq)
        {
            return Write(layout.Bus + "apmask", ap.Span);
        }
        var parsed = MaskRules.Parse(ap.Span, true, aq.Span, true, current.Apmask, current.Aqmask);
        if (!parsed.Success)
        {
            return parsed.Failure.Errno;
        }
        // apmask first asks about (new apm - old apm) x old aqm: fine unless that holds an APQN in
        // use that the new aqmask gives up; then aqmask goes first.
        var apmaskFirst = MatrixRules.InUse(current, InUseQuery.Single(parsed.Apmask.Except(current.Apmask), current.Aqmask)).Count == 0;
        var (first, firstBytes, firstOld, second, secondBytes) = apmaskFirst
            ? ("apmask", ap, current.Apmask, "aqmask", aq)
            : ("aqmask", aq, current.Aqmask, "apmask", ap);
        var errno = Write(layout.Bus + first, firstBytes.Span);
        if (errno != Errno.None)
        {
            return errno;
        }
        errno = Write(layout.Bus + second, secondBytes.Span);
        if (errno != Errno.None)
        {
            Write(layout.Bus + first, firstOld + "\n");
        }
        return errno;
    }

    /// <summary>The whole assignment: <c>ap_config</c> in one write, or single writes undone in reverse on failure.</summary>
    private Errno Config(WriteDeviceConfig c, HostState current)
    {
        var dir = layout.Device(c.Id);
        var next = c.Assignment;
        if (current.VfioFeatures.Contains("ap_config"))
        {
            return Write(dir + "ap_config", $"{next.Adapters},{next.Domains},{next.ControlDomains}\n");
        }
        var old = current.Device(c.Id)?.Assignment ?? Assignment.Empty;
        // Unassign first: what leaves can never conflict, and it makes room for what comes.
        var steps = new List<(string Attribute, int Id, bool Assign)>();
        foreach (var (target, name) in new[] { (AssignTarget.Adapter, "adapter"), (AssignTarget.Domain, "domain"), (AssignTarget.ControlDomain, "control_domain") })
        {
            foreach (var id in old.Get(target).Except(next.Get(target)))
            {
                steps.Add((name, id, false));
            }
        }
        foreach (var (target, name) in new[] { (AssignTarget.Adapter, "adapter"), (AssignTarget.Domain, "domain"), (AssignTarget.ControlDomain, "control_domain") })
        {
            foreach (var id in next.Get(target).Except(old.Get(target)))
            {
                steps.Add((name, id, true));
            }
        }
        for (var i = 0; i < steps.Count; i++)
        {
            var (attribute, id, assign) = steps[i];
            var errno = Write(dir + $"{(assign ? "assign" : "unassign")}_{attribute}", id.ToString(CultureInfo.InvariantCulture) + "\n");
            if (errno == Errno.None)
            {
                continue;
            }
            for (var j = i - 1; j >= 0; j--)
            {
                var (undoAttribute, undoId, undoAssign) = steps[j];
                Write(dir + $"{(undoAssign ? "unassign" : "assign")}_{undoAttribute}", undoId.ToString(CultureInfo.InvariantCulture) + "\n");
            }
            return errno;
        }
        return Errno.None;
    }
}
