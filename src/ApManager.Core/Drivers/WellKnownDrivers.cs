using ApManager.Core.Matrix;
using ApManager.Core.State;

namespace ApManager.Core.Drivers;

/// <summary>The two drivers that bind queues: zcrypt's <c>cex4queue</c> and <c>vfio_ap</c>.</summary>
public static class WellKnownDrivers
{
    public const string Cex4Queue = "cex4queue";
    public const string VfioAp = "vfio_ap";
    public const string Cex4Card = "cex4card";

    /// <summary>The host's zcrypt drivers are its default drivers (AP_DRIVER_FLAG_DEFAULT).</summary>
    public static bool IsDefault(string name) => name.StartsWith("cex", StringComparison.Ordinal);

    public static DriverDefinition Cex4QueueDriver { get; } = new(Cex4Queue, IsDefault: true);

    public static DriverDefinition VfioApDriver { get; } = new(VfioAp, IsDefault: false, VfioApInUse);

    /// <summary>vfio_ap's in_use callback: <see cref="MatrixRules.InUse"/> over the devices of the snapshot.</summary>
    public static IReadOnlyList<Offender> VfioApInUse(ApSnapshot snapshot, InUseQuery query)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        // A host without vfio_ap loaded has no callback to ask.
        return snapshot.VfioApBinds ? MatrixRules.InUse(snapshot.Host, query) : [];
    }
}
