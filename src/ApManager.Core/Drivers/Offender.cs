using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Drivers;

/// <summary>
/// One APQN that blocks a change: the driver that refused (or owns it), the matrix device that
/// holds it and that device's guest.
/// </summary>
public sealed record Offender(Apqn Apqn, string Driver, MdevId? Mdev, string? Guest) : IComparable<Offender>
{
    public int CompareTo(Offender? other)
    {
        if (other is null)
        {
            return 1;
        }
        var c = Apqn.CompareTo(other.Apqn);
        return c != 0 ? c : string.CompareOrdinal(Driver, other.Driver);
    }

    /// <summary>Adds one offender per APQN of <paramref name="adapters"/> x <paramref name="domains"/>, all with the same driver, device and guest.</summary>
    public static void AddRectangle(List<Offender> into, ApMask adapters, ApMask domains, string driver, MdevId? mdev, string? guest)
    {
        foreach (var a in adapters)
        {
            foreach (var d in domains)
            {
                into.Add(new Offender(new Apqn((byte)a, (byte)d), driver, mdev, guest));
            }
        }
    }

    /// <summary>Sorted by adapter, domain, then driver, duplicates removed.</summary>
    public static IReadOnlyList<Offender> Normalize(List<Offender> offenders)
    {
        offenders.Sort();
        var write = 0;
        for (var read = 0; read < offenders.Count; read++)
        {
            if (write > 0 && offenders[write - 1].Apqn == offenders[read].Apqn && offenders[write - 1].Driver == offenders[read].Driver)
            {
                continue;
            }
            offenders[write++] = offenders[read];
        }
        offenders.RemoveRange(write, offenders.Count - write);
        return offenders;
    }
}

/// <summary>
/// The APQNs an in_use query asks about: the union of at most two rectangles
/// adapters x domains (SPEC §4), so callbacks can intersect masks instead of enumerating.
/// </summary>
public readonly record struct InUseQuery(ApMask Adapters1, ApMask Domains1, ApMask Adapters2, ApMask Domains2)
{
    public static InUseQuery Single(ApMask adapters, ApMask domains) => new(adapters, domains, ApMask.Empty, ApMask.Empty);

    /// <summary>(new apm x new aqm) − (old apm x old aqm).</summary>
    public static InUseQuery NewlyOwned(ApMask oldApm, ApMask oldAqm, ApMask newApm, ApMask newAqm) =>
        new(newApm.Except(oldApm), newAqm, newApm, newAqm.Except(oldAqm));

    public bool IsEmpty => (Adapters1.IsEmpty || Domains1.IsEmpty) && (Adapters2.IsEmpty || Domains2.IsEmpty);

    public bool Contains(Apqn apqn) =>
        (Adapters1.Contains(apqn.Adapter) && Domains1.Contains(apqn.Domain)) ||
        (Adapters2.Contains(apqn.Adapter) && Domains2.Contains(apqn.Domain));
}
