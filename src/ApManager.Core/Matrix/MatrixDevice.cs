using ApManager.Core.Masks;

namespace ApManager.Core.Matrix;

/// <summary>Ids assigned to a matrix device: adapters, usage domains, control domains.</summary>
public readonly record struct Assignment(ApMask Adapters, ApMask Domains, ApMask ControlDomains)
{
    public static Assignment Empty => default;

    public bool Contains(Apqn apqn) => Adapters.Contains(apqn.Adapter) && Domains.Contains(apqn.Domain);

    /// <summary>adapters x domains, sorted by adapter then domain.</summary>
    public IReadOnlyList<Apqn> Matrix => Rectangle.Apqns(Adapters, Domains);

    /// <summary>The assignment with one id added to or removed from the set <paramref name="target"/> names.</summary>
    public Assignment With(Host.AssignTarget target, int id, bool assign)
    {
        var set = Get(target);
        var updated = assign ? set.With(id) : set.Without(id);
        return target switch
        {
            Host.AssignTarget.Adapter => this with { Adapters = updated },
            Host.AssignTarget.Domain => this with { Domains = updated },
            _ => this with { ControlDomains = updated },
        };
    }

    public ApMask Get(Host.AssignTarget target) => target switch
    {
        Host.AssignTarget.Adapter => Adapters,
        Host.AssignTarget.Domain => Domains,
        _ => ControlDomains,
    };
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

/// <summary>A vfio_ap mediated device as the kernel holds it: its assignment, its guest matrix and the guest using it.</summary>
public sealed record HostDevice(MdevId Id, Assignment Assignment, GuestMatrix GuestMatrix, string? Guest) : IKeyedByMdev
{
    public ApMask Adapters => Assignment.Adapters;

    public ApMask Domains => Assignment.Domains;
}

/// <summary>
/// A matrix device as ApManager shows it: the kernel's device, ApManager's name for it and the
/// version of the last step that changed its representation.
/// </summary>
public sealed record MatrixDevice(HostDevice Device, string? Name, long Version) : IKeyedByMdev
{
    public MdevId Id => Device.Id;

    public Assignment Assignment => Device.Assignment;

    public string? Guest => Device.Guest;

    /// <summary>The guest matrix (SPEC §6).</summary>
    public GuestMatrix Shadow => Device.GuestMatrix;

    public ApMask Adapters => Device.Assignment.Adapters;

    public ApMask Domains => Device.Assignment.Domains;

    public ApMask ControlDomains => Device.Assignment.ControlDomains;

    /// <summary>
    /// The mdevctl config the device was imported with, verbatim (start, attribute values, order,
    /// duplicates); null for a device made otherwise. The export shows it while it still gives the matrix.
    /// </summary>
    public Persistence.MdevctlDefinition? Mdevctl { get; init; }
}

/// <summary>Something kept in a list sorted by matrix device UUID.</summary>
public interface IKeyedByMdev
{
    MdevId Id { get; }
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

public static class MatrixDevices
{
    /// <summary>Binary search by UUID in a sorted device list; the complement of the insert point when absent.</summary>
    public static int IndexOf<T>(ReadOnlySpan<T> devices, MdevId id) where T : IKeyedByMdev
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
