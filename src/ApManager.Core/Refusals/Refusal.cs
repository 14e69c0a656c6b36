using ApManager.Core.Drivers;
using ApManager.Core.Matrix;

namespace ApManager.Core.Refusals;

/// <summary>
/// An expected refusal of a mutation. Each kind knows the name of its problem type
/// (<see cref="Code"/>) and the errno the kernel answers for it (<see cref="Errno"/>).
/// </summary>
public abstract record Refusal
{
    /// <summary>The problem type's name, e.g. <c>queues-in-use</c> for <c>/problems/queues-in-use</c>.</summary>
    public abstract string Code { get; }

    /// <summary>The kernel's errno for this refusal; <see cref="Errno.None"/> where the kernel has none.</summary>
    public virtual Errno Errno => Errno.None;
}

/// <summary>A mask write that does not parse (SPEC §2): EINVAL, or E2BIG over 4096 bytes.</summary>
public sealed record InvalidMask(string Attribute, string Input, Errno ParseErrno, int Position) : Refusal
{
    public override string Code => "invalid-mask";

    public override Errno Errno => ParseErrno;
}

/// <summary>The in_use protocol objected (EBUSY): every offender of every driver and device.</summary>
public sealed record QueuesInUse(string Attribute, IReadOnlyDictionary<string, string> Inputs, IReadOnlyList<Offender> Offenders) : Refusal
{
    public override string Code => "queues-in-use";

    public override Errno Errno => Errno.EBUSY;
}

/// <summary>A driver's in_use callback threw: the change fails closed.</summary>
public sealed record InUseCheckFailed(string Attribute, string Driver, Exception Error) : Refusal
{
    public override string Code => "in-use-check-failed";
}

/// <summary>If-Match named no version the resource has.</summary>
public sealed record VersionMismatch(string Resource, long Expected, long Current) : Refusal
{
    public override string Code => "version-mismatch";
}

/// <summary>The addressed adapter, queue or matrix device does not exist.</summary>
public sealed record NotFound(string Kind, string Id) : Refusal
{
    public override string Code => "not-found";

    public override Errno Errno => Errno.ENOENT;
}

/// <summary>Ids above the host maximum (kernel ENODEV).</summary>
public sealed record IdOutOfRange(string Kind, IReadOnlyList<long> Ids, int Max) : Refusal
{
    /// <summary>Bad ids of further kinds in the same call: a config replace names every offending id.</summary>
    public IReadOnlyList<IdOutOfRange> More { get; init; } = [];

    public override string Code => "id-out-of-range";

    public override Errno Errno => Errno.ENODEV;
}

/// <summary>APQNs the host's default drivers own (kernel EADDRNOTAVAIL).</summary>
public sealed record ApqnOwnedByHost(MdevId Mdev, IReadOnlyList<Offender> Offenders) : Refusal
{
    public override string Code => "apqn-owned-by-host";

    public override Errno Errno => Errno.EADDRNOTAVAIL;
}

/// <summary>APQNs another matrix device holds (kernel EADDRINUSE).</summary>
public sealed record ApqnConflict(MdevId Mdev, IReadOnlyList<Offender> Offenders) : Refusal
{
    public override string Code => "apqn-conflict";

    public override Errno Errno => Errno.EADDRINUSE;
}

/// <summary>A matrix device with this UUID exists.</summary>
public sealed record MdevExists(MdevId Mdev) : Refusal
{
    public override string Code => "mdev-exists";

    public override Errno Errno => Errno.EEXIST;
}

/// <summary>A guest is using the device (delete, or attach of another guest).</summary>
public sealed record MdevInUse(MdevId Mdev, string Guest) : Refusal
{
    public override string Code => "mdev-in-use";

    public override Errno Errno => Errno.EBUSY;
}

/// <summary>The guest already holds another matrix device (kernel EPERM).</summary>
public sealed record GuestHasMdev(string Guest, MdevId Holder) : Refusal
{
    public override string Code => "guest-has-mdev";

    public override Errno Errno => Errno.EPERM;
}

/// <summary>The cap on matrix devices is reached (the kernel's available_instances is 0: EUSERS).</summary>
public sealed record MdevLimitReached(int Limit) : Refusal
{
    public override string Code => "mdev-limit";

    public override Errno Errno => Errno.EUSERS;
}

/// <summary>An online switch set to 1 on a deconfigured or check-stopped adapter or queue (kernel ENODEV).</summary>
public sealed record AdapterDeconfigured(int Adapter, Masks.Apqn? Queue, bool Checkstopped) : Refusal
{
    public override string Code => "adapter-deconfigured";

    public override Errno Errno => Errno.ENODEV;
}

/// <summary>A queue set online while its adapter is offline (kernel EINVAL).</summary>
public sealed record AdapterOffline(Masks.Apqn Queue) : Refusal
{
    public override string Code => "adapter-offline";

    public override Errno Errno => Errno.EINVAL;
}

/// <summary>The queue has no online switch: only queues of the host's zcrypt driver have one (no <c>online</c> file: ENOENT).</summary>
public sealed record NoOnlineSwitch(Masks.Apqn Queue, string? Driver) : Refusal
{
    public override string Code => "no-online-switch";

    public override Errno Errno => Errno.ENOENT;
}

/// <summary>On a real host the guest of a device is the libvirt domain using it: ApManager does not attach or detach guests there.</summary>
public sealed record GuestManagedByLibvirt(MdevId Mdev) : Refusal
{
    public override string Code => "guest-managed-by-libvirt";

    public override Errno Errno => Errno.EPERM;
}

/// <summary>A call the simulated host offers and a real host cannot do.</summary>
public sealed record UnsupportedOnHost(string Operation, string Reason) : Refusal
{
    public override string Code => "unsupported-on-host";

    public override Errno Errno => Errno.EOPNOTSUPP;
}

/// <summary>The s390-tools configuration lock was not obtained in time: another tool is changing the host.</summary>
public sealed record HostBusy(string LockFile, TimeSpan Waited) : Refusal
{
    public override string Code => "host-busy";

    public override Errno Errno => Errno.ETIMEDOUT;
}

/// <summary>The real host's AP bus could not be read: nothing can be judged, so nothing is written.</summary>
public sealed record HostUnavailable(string Reason) : Refusal
{
    public override string Code => "host-unavailable";

    public override Errno Errno => Errno.ENODEV;
}

/// <summary>A field that breaks a simple rule (a name too long, a guest name with bad characters).</summary>
public sealed record InvalidInput(string Field, string Detail) : Refusal
{
    public override string Code => "invalid-request";

    public override Errno Errno => Errno.EINVAL;
}

/// <summary>
/// The host refused a write the model accepted (someone changed it in between, or the kernel
/// knows better): the kernel's errno, the attribute written and what was written.
/// </summary>
public sealed record HostRefused(Errno HostErrno, string Attribute, string Written) : Refusal
{
    public override string Code => "host-refused";

    public override Errno Errno => HostErrno;
}

/// <summary>
/// Autostart definitions that would collide after a reboot (ap-check's define/modify checks and
/// chzdev's persistent mask check, but complete): every APQN two autostart definitions share, then
/// every APQN of an autostart definition the persistent masks give the host. The errno is the
/// kernel's for the first kind present, sharing first as ap-check checks it first (ap-check itself exits 255).
/// </summary>
public sealed record DefinitionConflict(IReadOnlyList<Persistence.DefinitionOffender> Shared, IReadOnlyList<Persistence.DefinitionOffender> OwnedByHost) : Refusal
{
    public override string Code => "definition-conflict";

    public override Errno Errno => Shared.Count > 0 ? Errno.EADDRINUSE : Errno.EADDRNOTAVAIL;

    /// <summary>Every definition involved, sorted.</summary>
    public IReadOnlyList<MdevId> Definitions =>
        [.. Shared.Concat(OwnedByHost).SelectMany(o => o.SharedWith is { } other ? new[] { o.Definition, other } : [o.Definition]).Distinct().Order()];
}
