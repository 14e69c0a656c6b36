using ApManager.Core.Matrix;
using ApManager.Core.State;

namespace ApManager.Core.Drivers;

/// <summary>The two drivers that bind queues: zcrypt's <c>cex4queue</c> and <c>vfio_ap</c>.</summary>
public static class WellKnownDrivers
{
    public const string Cex4Queue = "cex4queue";
    public const string VfioAp = "vfio_ap";

    public static DriverDefinition Cex4QueueDriver { get; } = new(Cex4Queue, IsDefault: true);

    public static DriverDefinition VfioApDriver { get; } = new(VfioAp, IsDefault: false, VfioApInUse);

    /// <summary>vfio_ap's in_use callback: <see cref="MatrixRules.InUse"/> over the devices of the snapshot.</summary>
    public static IReadOnlyList<Offender> VfioApInUse(ApSnapshot snapshot, InUseQuery query)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return MatrixRules.InUse(snapshot.Host, query);
    }
}
