using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Host.Simulated;

/// <summary>
/// Everything the binding rule (SPEC §3) and the guest-matrix filter (SPEC §6) depend on: the
/// simulated kernel's part of ap_bus, zcrypt and vfio_ap.
/// </summary>
internal readonly record struct BindingContext(
    HostTopology Topology, ApMask Apmask, ApMask Aqmask, ApMask Configured, bool Cex4QueueBinds, bool VfioApBinds)
{
    public static BindingContext Of(HostState s) =>
        new(s.Topology, s.Apmask, s.Aqmask, s.ConfiguredAdapters, s.HasDriver(WellKnownDrivers.Cex4Queue), s.HasDriver(WellKnownDrivers.VfioAp));

    /// <summary>SPEC §3 binding rule for an existing queue.</summary>
    public string? DriverFor(int adapter, int domain)
    {
        if (Apmask.Contains(adapter) && Aqmask.Contains(domain))
        {
            return Cex4QueueBinds ? WellKnownDrivers.Cex4Queue : null;
        }
        return VfioApBinds && Topology.VfioCapableAdapters.Contains(adapter) ? WellKnownDrivers.VfioAp : null;
    }

    /// <summary>
    /// SPEC §6 guest-matrix filter (kernel <c>vfio_ap_mdev_filter_matrix</c>) as mask algebra:
    /// an adapter stays only if every (adapter, d) for d in the filtered domains is a queue bound to vfio_ap.
    /// </summary>
    public GuestMatrix Shadow(Assignment assignment)
    {
        var apm = assignment.Adapters & Configured;
        var aqm = assignment.Domains & Topology.UsageDomains;
        if (!aqm.IsEmpty)
        {
            if (!VfioApBinds)
            {
                apm = ApMask.Empty;
            }
            else
            {
                apm &= Topology.VfioCapableAdapters;
                if (Aqmask.Overlaps(aqm))
                {
                    // Some domain of the adapter is default-owned wherever the adapter's apmask bit is set.
                    apm = apm.Except(Apmask);
                }
            }
        }
        return new GuestMatrix(apm, aqm, assignment.ControlDomains & Topology.ControlDomains);
    }
}
