using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Host;

/// <summary>
/// One change the manager asks of the host. On a real host each is a <c>write(2)</c> to one sysfs
/// attribute (SPEC §11.3), or a short sequence undone on failure; the host answers with an errno.
/// </summary>
public abstract record HostWrite;

/// <summary>apmask and/or aqmask as the bytes a user would <c>echo</c>; both together are one step.</summary>
public sealed record WriteMasks(ReadOnlyMemory<byte>? Apmask, ReadOnlyMemory<byte>? Aqmask) : HostWrite;

/// <summary><c>mdev_supported_types/vfio_ap-passthrough/create</c>.</summary>
public sealed record CreateDevice(MdevId Id) : HostWrite;

/// <summary><c>&lt;uuid&gt;/remove</c>.</summary>
public sealed record RemoveDevice(MdevId Id) : HostWrite;

/// <summary><c>&lt;uuid&gt;/assign_adapter</c> and its five siblings: one decimal id.</summary>
public sealed record AssignId(MdevId Id, AssignTarget Target, long Value, bool Assign) : HostWrite;

/// <summary><c>&lt;uuid&gt;/ap_config</c>: the whole assignment at once.</summary>
public sealed record WriteDeviceConfig(MdevId Id, Assignment Assignment) : HostWrite;

/// <summary><c>cardXX/config</c>: a hardware configure (1) or deconfigure (0).</summary>
public sealed record ConfigureCard(int Adapter, bool Configured) : HostWrite;

/// <summary><c>cardXX/online</c>: zcrypt's switch for a card and every queue of its driver (<c>chzcrypt -e/-d</c>).</summary>
public sealed record SetCardOnline(int Adapter, bool Online) : HostWrite;

/// <summary><c>cardXX/XX.YYYY/online</c>: zcrypt's switch for one queue.</summary>
public sealed record SetQueueOnline(Apqn Apqn, bool Online) : HostWrite;

/// <summary>Starts or stops a guest using a matrix device (libvirt's part; simulated hosts only).</summary>
public sealed record SetGuest(MdevId Id, string? Guest) : HostWrite;

/// <summary>Loads or unloads the binding drivers (<c>modprobe</c>; simulated hosts only), vfio_ap with or without its in_use callback.</summary>
public sealed record SetBindingDrivers(bool Cex4Queue, bool VfioAp, bool VfioApInUse = true) : HostWrite;

/// <summary>A whole configuration in one step (import; simulated hosts only).</summary>
public sealed record ReplaceConfiguration(
    ApMask Apmask,
    ApMask Aqmask,
    IReadOnlyDictionary<int, bool> Configured,
    IReadOnlyList<(MdevId Id, Assignment Assignment, string? Guest)> Devices) : HostWrite;

/// <summary>A reboot: the host comes up in <paramref name="State"/> (what the boot preview computed; simulated hosts only).</summary>
public sealed record Reboot(HostState State) : HostWrite;

/// <summary>Which id set of a matrix device an assignment call edits.</summary>
public enum AssignTarget
{
    Adapter,
    Domain,
    ControlDomain,
}

public static class AssignTargets
{
    /// <summary>The word problems and audit actions use: adapter, domain, control-domain.</summary>
    public static string KindName(this AssignTarget target) => target switch
    {
        AssignTarget.Adapter => "adapter",
        AssignTarget.Domain => "domain",
        _ => "control-domain",
    };

    /// <summary>The sysfs attribute suffix: adapter, domain, control_domain.</summary>
    public static string AttributeName(this AssignTarget target) => target switch
    {
        AssignTarget.Adapter => "adapter",
        AssignTarget.Domain => "domain",
        _ => "control_domain",
    };
}
