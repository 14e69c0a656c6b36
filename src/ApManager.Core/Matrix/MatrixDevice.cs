using ApManager.Core.Masks;

namespace ApManager.Core.Matrix;

/// <summary>Ids assigned to a matrix device: adapters, usage domains, control domains.</summary>
public readonly record struct Assignment(ApMask Adapters, ApMask Domains, ApMask ControlDomains)
{
    public static Assignment Empty => default;

    public bool Contains(Apqn apqn) => Adapters.Contains(apqn.Adapter) && Domains.Contains(apqn.Domain);

    /// <summary>adapters x domains, sorted by adapter then domain.</summary>
    public IReadOnlyList<Apqn> Matrix => Rectangle.Apqns(Adapters, Domains);
}

/// <summary>What an attached guest really sees (SPEC §6): the filtered shadow of an assignment.</summary>
public readonly record struct GuestMatrix(ApMask Adapters, ApMask Domains, ApMask ControlDomains)
{
    public bool Contains(Apqn apqn) => Adapters.Contains(apqn.Adapter) && Domains.Contains(apqn.Domain);

    public IReadOnlyList<Apqn> Apqns => Rectangle.Apqns(Adapters, Domains);

    /// <summary>
    /// What a guest can observe: an adapter without domains (or the reverse) gives it no queue, so
    /// two shadows that differ only there look the same.
    /// </summary>
    public static GuestMatrix Visible(GuestMatrix? shadow) => shadow is not { } g
        ? default
        : g.Adapters.IsEmpty || g.Domains.IsEmpty ? new GuestMatrix(ApMask.Empty, ApMask.Empty, g.ControlDomains) : g;
}

/// <summary>A vfio_ap mediated device as one immutable value.</summary>
public sealed record MatrixDevice(MdevId Id, string? Name, Assignment Assignment, string? Guest, GuestMatrix Shadow, long Version)
{
    public ApMask Adapters => Assignment.Adapters;

    public ApMask Domains => Assignment.Domains;

    public ApMask ControlDomains => Assignment.ControlDomains;
}

internal static class Rectangle
{
    public static IReadOnlyList<Apqn> Apqns(ApMask adapters, ApMask domains)
    {
        if (adapters.IsEmpty || domains.IsEmpty)
        {
            return [];
        }
        var result = new Apqn[adapters.Count * domains.Count];
        var i = 0;
        foreach (var a in adapters)
        {
            foreach (var d in domains)
            {
                result[i++] = new Apqn((byte)a, (byte)d);
            }
        }
        return result;
    }
}

internal static class MatrixDevices
{
    /// <summary>Binary search by UUID in a sorted device list; the complement of the insert point when absent.</summary>
    public static int IndexOf(ReadOnlySpan<MatrixDevice> devices, MdevId id)
    {
        int lo = 0, hi = devices.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = devices[mid].Id.CompareTo(id);
            if (c == 0)
            {
                return mid;
            }
            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return ~lo;
    }
}
