using ApManager.Core.Masks;
using ApManager.Core.State;

namespace ApManager.Core.Drivers;

/// <summary>The two drivers that bind queues: zcrypt's <c>cex4queue</c> and <c>vfio_ap</c>.</summary>
public static class WellKnownDrivers
{
    public const string Cex4Queue = "cex4queue";
    public const string VfioAp = "vfio_ap";

    public static DriverDefinition Cex4QueueDriver { get; } = new(Cex4Queue, IsDefault: true);

    public static DriverDefinition VfioApDriver { get; } = new(VfioAp, IsDefault: false, VfioApInUse);

    /// <summary>
    /// The kernel's <c>vfio_ap_mdev_resource_in_use</c>, but over every matrix device: an APQN is
    /// in use when it lies in any device's adapters x domains, guest or not. Intersects masks per
    /// device; allocates only for the offenders it finds.
    /// </summary>
    public static IReadOnlyList<Offender> VfioApInUse(ApSnapshot snapshot, InUseQuery query)
    {
        // An empty rectangle holds no APQN: decide that once, not once per device. The per-device
        // tests stay in the loop (no call) and only test overlap; most devices miss the query.
        var (a1, d1, a2, d2) = (query.Adapters1, query.Domains1, query.Adapters2, query.Domains2);
        var first = !a1.IsEmpty && !d1.IsEmpty;
        var second = !a2.IsEmpty && !d2.IsEmpty;
        List<Offender>? offenders = null;
        foreach (var device in snapshot.MdevArray)
        {
            if (first && device.Adapters.Overlaps(a1) && device.Domains.Overlaps(d1))
            {
                Collect(device, a1, d1, ref offenders);
            }
            if (second && device.Adapters.Overlaps(a2) && device.Domains.Overlaps(d2))
            {
                Collect(device, a2, d2, ref offenders);
            }
        }
        return offenders is null ? [] : Offender.Normalize(offenders);
    }

    private static void Collect(Matrix.MatrixDevice device, ApMask adapters, ApMask domains, ref List<Offender>? offenders)
    {
        var a = device.Adapters & adapters;
        var d = device.Domains & domains;
        offenders ??= [];
        Offender.AddRectangle(offenders, a, d, VfioAp, device.Id, device.Guest);
    }
}
