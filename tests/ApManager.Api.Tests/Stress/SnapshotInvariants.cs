using System.Globalization;
using System.Text;
using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// Checks one <see cref="ApSnapshot"/> against the rules of SPEC §3, §5, §6 and §8, recomputing every
/// derived field from the snapshot's own masks, topology and devices (never from the product's
/// helpers), and renders a snapshot as text so two snapshots can be compared field by field.
/// </summary>
public static class SnapshotInvariants
{
    /// <summary>Every violation found in <paramref name="s"/>; empty when the snapshot is consistent.</summary>
    public static List<string> Violations(ApSnapshot s)
    {
        var errors = new List<string>();
        void Fail(string message)
        {
            if (errors.Count < 20)
            {
                errors.Add($"v{s.Version}: {message}");
            }
        }

        var topology = s.Topology;
        var apm = s.Bus.Apmask;
        var aqm = s.Bus.Aqmask;
        if (s.Version < 1 || s.Bus.Version < 1 || s.Bus.Version > s.Version)
        {
            Fail($"bus version {s.Bus.Version} outside 1..{s.Version}");
        }

        // Adapters: exactly the topology's, versions in range.
        var configured = ApMask.Empty;
        var adapterCount = 0;
        foreach (var a in s.Adapters)
        {
            adapterCount++;
            if (!topology.AdapterIds.Contains(a.Id))
            {
                Fail($"adapter {a.Id} is not in the topology");
            }
            if (a.Version < 1 || a.Version > s.Version)
            {
                Fail($"adapter {a.Id} version {a.Version} outside 1..{s.Version}");
            }
            if (a.Configured)
            {
                configured = configured.With(a.Id);
            }
        }
        if (adapterCount != topology.AdapterIds.Count)
        {
            Fail($"{adapterCount} adapters, topology has {topology.AdapterIds.Count}");
        }

        // Devices: sorted, unique, valid names and ids, guests consistent.
        var devices = s.Mdevs;
        var guestsSeen = 0;
        for (var i = 0; i < devices.Count; i++)
        {
            var m = devices[i];
            if (i > 0 && devices[i - 1].Id.CompareTo(m.Id) >= 0)
            {
                Fail($"devices not strictly sorted at {m.Id}");
            }
            if (m.Version < 1 || m.Version > s.Version)
            {
                Fail($"device {m.Id} version {m.Version} outside 1..{s.Version}");
            }
            if (m.Name is { } name && (name.Length > Names.MaxLength || name.Any(char.IsControl)))
            {
                Fail($"device {m.Id} has an invalid name ({name.Length} characters, control characters: {name.Any(char.IsControl)})");
            }
            if (!m.Adapters.Except(topology.AdapterRange).IsEmpty || !m.Domains.Except(topology.DomainRange).IsEmpty ||
                !m.ControlDomains.Except(topology.DomainRange).IsEmpty)
            {
                Fail($"device {m.Id} has ids above the host maxima");
            }
            if (m.Guest is { } guest)
            {
                guestsSeen++;
                if (Names.CheckGuestName(guest) is not null)
                {
                    Fail($"device {m.Id} has an invalid guest name '{guest}'");
                }
                if (!s.Guests.TryGetValue(guest, out var holder) || holder != m.Id)
                {
                    Fail($"guest '{guest}' of {m.Id} is not mapped to it in Guests");
                }
            }

            // SPEC §6 guest matrix, recomputed from the snapshot's own queues.
            var shadowA = m.Adapters & configured;
            var shadowD = m.Domains & topology.UsageDomains;
            if (!shadowD.IsEmpty)
            {
                foreach (var a in shadowA)
                {
                    foreach (var d in shadowD)
                    {
                        if (s.Queue(new Apqn((byte)a, (byte)d))?.Driver != WellKnownDrivers.VfioAp)
                        {
                            shadowA = shadowA.Without(a);
                            break;
                        }
                    }
                }
            }
            var shadowC = m.ControlDomains & topology.ControlDomains;
            if (m.Shadow.Adapters != shadowA || m.Shadow.Domains != shadowD || m.Shadow.ControlDomains != shadowC)
            {
                Fail($"device {m.Id} guest matrix {Ids(m.Shadow.Adapters)} x {Ids(m.Shadow.Domains)} / {Ids(m.Shadow.ControlDomains)}, " +
                    $"recomputed {Ids(shadowA)} x {Ids(shadowD)} / {Ids(shadowC)}");
            }

            // I2: while vfio_ap is registered no APQN of a matrix is default-owned.
            if (s.VfioApBinds && (m.Adapters & apm).Count > 0 && (m.Domains & aqm).Count > 0)
            {
                Fail($"I2: device {m.Id} holds default-owned APQNs {Ids(m.Adapters & apm)} x {Ids(m.Domains & aqm)}");
            }

            // I1: no APQN in two matrices.
            for (var j = i + 1; j < devices.Count; j++)
            {
                var o = devices[j];
                if ((m.Adapters & o.Adapters).Count > 0 && (m.Domains & o.Domains).Count > 0)
                {
                    Fail($"I1: devices {m.Id} and {o.Id} share {Ids(m.Adapters & o.Adapters)} x {Ids(m.Domains & o.Domains)}");
                }
            }
        }
        if (guestsSeen != s.Guests.Count)
        {
            Fail($"{guestsSeen} devices have a guest but Guests has {s.Guests.Count} entries");
        }
        foreach (var (guest, id) in s.Guests)
        {
            if (s.Mdev(id)?.Guest != guest)
            {
                Fail($"Guests maps '{guest}' to {id}, which does not have that guest");
            }
        }

        // Queues: exactly configured adapters x usage domains, bound by the binding rule, mdev/guest derived.
        var queueCount = 0;
        foreach (var q in s.Queues)
        {
            queueCount++;
            int a = q.Apqn.Adapter, d = q.Apqn.Domain;
            if (!configured.Contains(a) || !topology.UsageDomains.Contains(d))
            {
                Fail($"queue {q.Apqn} exists but adapter configured={configured.Contains(a)}, usage domain={topology.UsageDomains.Contains(d)}");
            }
            var driver = apm.Contains(a) && aqm.Contains(d)
                ? (s.Cex4QueueBinds ? WellKnownDrivers.Cex4Queue : null)
                : (s.VfioApBinds && topology.VfioCapableAdapters.Contains(a) ? WellKnownDrivers.VfioAp : null);
            if (q.Driver != driver)
            {
                Fail($"queue {q.Apqn} bound to {q.Driver ?? "(none)"}, the binding rule says {driver ?? "(none)"}");
            }
            MatrixDevice? holder = null;
            foreach (var m in devices)
            {
                if (m.Assignment.Contains(q.Apqn))
                {
                    holder = m;
                    break;
                }
            }
            if (q.Mdev != holder?.Id)
            {
                Fail($"queue {q.Apqn} names mdev {q.Mdev?.ToString() ?? "(none)"}, the devices say {holder?.Id.ToString() ?? "(none)"}");
            }
            var guest = holder is { Guest: { } g } && holder.Shadow.Contains(q.Apqn) ? g : null;
            if (q.Guest != guest)
            {
                Fail($"queue {q.Apqn} names guest {q.Guest ?? "(none)"}, the devices say {guest ?? "(none)"}");
            }
            if (!q.Online)
            {
                Fail($"queue {q.Apqn} is offline although its adapter is configured");
            }
            if (q.Version < 1 || q.Version > s.Version)
            {
                Fail($"queue {q.Apqn} version {q.Version} outside 1..{s.Version}");
            }
        }
        var expectedQueues = configured.Count * topology.UsageDomains.Count;
        if (queueCount != expectedQueues)
        {
            Fail($"{queueCount} queues, configured adapters x usage domains = {expectedQueues}");
        }
        return errors;
    }

    /// <summary>
    /// A hash of everything <see cref="Describe"/> shows, without building the text: cheap enough
    /// to compare the whole state before and after every single request.
    /// </summary>
    public static int Fingerprint(ApSnapshot s)
    {
        var h = new HashCode();
        h.Add(s.Version);
        h.Add(s.Bus);
        h.Add(s.Cex4QueueBinds);
        h.Add(s.VfioApBinds);
        foreach (var a in s.Adapters)
        {
            h.Add(a);
        }
        foreach (var m in s.Mdevs)
        {
            h.Add(m);
        }
        foreach (var (guest, id) in s.Guests)
        {
            h.Add(guest.GetHashCode(StringComparison.Ordinal) ^ id.GetHashCode());
        }
        foreach (var q in s.Queues)
        {
            h.Add(q);
        }
        return h.ToHashCode();
    }

    /// <summary>Everything observable in a snapshot as text: equal text = equal state.</summary>
    public static string Describe(ApSnapshot s)
    {
        var b = new StringBuilder(4096);
        b.Append("v=").Append(s.Version.ToString(CultureInfo.InvariantCulture))
            .Append(" apm=").Append(s.Bus.Apmask).Append(" aqm=").Append(s.Bus.Aqmask)
            .Append(" bus@").Append(s.Bus.Version.ToString(CultureInfo.InvariantCulture))
            .Append(" cex=").Append(s.Cex4QueueBinds).Append(" vfio=").Append(s.VfioApBinds).Append('\n');
        foreach (var a in s.Adapters)
        {
            b.Append("adapter ").Append(a.Id.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(a.Type).Append(' ')
                .Append(a.Configured).Append('@').Append(a.Version.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        foreach (var m in s.Mdevs)
        {
            b.Append("mdev ").Append(m.Id).Append(" name=").Append(m.Name ?? "(null)")
                .Append(" a=").Append(m.Adapters).Append(" d=").Append(m.Domains).Append(" c=").Append(m.ControlDomains)
                .Append(" guest=").Append(m.Guest ?? "(null)")
                .Append(" shadow=").Append(m.Shadow.Adapters).Append('/').Append(m.Shadow.Domains).Append('/').Append(m.Shadow.ControlDomains)
                .Append('@').Append(m.Version.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        foreach (var (guest, id) in s.Guests.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            b.Append("guest ").Append(guest).Append("->").Append(id).Append('\n');
        }
        foreach (var q in s.Queues)
        {
            b.Append("queue ").Append(q.Apqn).Append(' ').Append(q.Driver ?? "-").Append(' ').Append(q.Mdev?.ToString() ?? "-")
                .Append(' ').Append(q.Guest ?? "-").Append(' ').Append(q.Online).Append('@').Append(q.Version.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return b.ToString();
    }

    public static string Ids(ApMask mask) => "{" + string.Join(",", mask.ToArray()) + "}";
}
