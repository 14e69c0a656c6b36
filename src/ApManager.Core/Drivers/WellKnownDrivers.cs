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
        List<Offender>? offenders = null;
        foreach (var device in snapshot.MdevArray)
        {
            Collect(device, query.Adapters1, query.Domains1, ref offenders);
            Collect(device, query.Adapters2, query.Domains2, ref offenders);
        }
        return offenders is null ? [] : Offender.Normalize(offenders);
    }

    private static void Collect(Matrix.MatrixDevice device, ApMask adapters, ApMask domains, ref List<Offender>? offenders)
    {
        var a = device.Adapters & adapters;
        if (a.IsEmpty)
        {
            return;
        }
        var d = device.Domains & domains;
        if (d.IsEmpty)
        {
            return;
        }
        offenders ??= [];
        foreach (var adapter in a)
        {
            foreach (var domain in d)
            {
                offenders.Add(new Offender(new Apqn((byte)adapter, (byte)domain), VfioAp, device.Id, device.Guest));
            }
        }
    }
}
