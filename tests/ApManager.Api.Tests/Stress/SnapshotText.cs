using System.Globalization;
using System.Text;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Stress;

/// <summary>A snapshot as text, so two snapshots can be compared field by field, and as a cheap hash of that text.</summary>
public static class SnapshotText
{
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
}
