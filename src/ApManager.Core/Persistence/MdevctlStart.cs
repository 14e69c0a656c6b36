using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Host.Simulated;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Persistence;

/// <summary>
/// <c>mdevctl start</c> of one definition at boot: ap-check's pre-start checks (<c>ap_check_active</c>),
/// then <c>create</c> and each attribute written in order as the kernel takes it; the first failing
/// write removes the device (mdevctl <c>MDev::start</c>, fact sheet §1.6).
/// </summary>
internal static class MdevctlStart
{
    /// <summary>vfio_ap mdev attributes without a store: opening them for writing is EACCES.</summary>
    private static readonly HashSet<string> ReadOnly = ["matrix", "guest_matrix", "control_domains", "uevent", "mdev_type"];

    /// <summary>ap-check's checks against the active state, all of them reported.</summary>
    public static BootFailure? PreStartCheck(HostState state, MdevId id, ApCheckView view)
    {
        if (view.Malformed is { } malformed)
        {
            return new BootFailure(id, BootStep.ApCheck, Errno.EINVAL, $"ap-check aborts: {malformed}.");
        }
        if (view.HasIdAbove255)
        {
            return new BootFailure(id, BootStep.ApCheck, Errno.EINVAL, "ap-check aborts: an assigned id above 255 lies outside its mask strings.");
        }
        if (!view.ControlDomains.IsEmpty && view.Domains.IsEmpty)
        {
            return new BootFailure(id, BootStep.ApCheck, Errno.EINVAL, "At least one usage domain must be specified.");
        }
        var mine = view.Assignment;
        List<Offender>? shared = null;
        foreach (var other in state.Devices)
        {
            MatrixRules.AddConflicts(ref shared, mine, other.Id, other.Assignment, null);
        }
        var owned = new List<Offender>();
        MatrixRules.AddOwnedByHost(owned, mine, state.Apmask, state.Aqmask, id);
        if (shared is null && owned.Count == 0)
        {
            return null;
        }
        var offenders = (shared ?? []).Select(o => new DefinitionOffender(o.Apqn, id, o.Mdev))
            .Concat(owned.Select(o => new DefinitionOffender(o.Apqn, id, null)))
            .OrderBy(o => o.Apqn).ToList();
        return new BootFailure(id, BootStep.ApCheck, shared is null ? Errno.EADDRNOTAVAIL : Errno.EADDRINUSE,
            shared is null ? "APQNs are not allowed for vfio_ap-passthrough use by the active ap bus mask settings."
                : "APQNs are already in use by a device started before.")
        {
            Offenders = offenders,
        };
    }

    public static BootFailure? Start(ref HostState state, MdevId id, MdevctlDefinition definition)
    {
        var created = SimulatedKernel.Apply(state, new CreateDevice(id));
        if (!created.Accepted)
        {
            return new BootFailure(id, BootStep.Create, created.Errno, $"Writing the UUID to create failed with {created.Errno}.");
        }
        var current = created.State;
        for (var i = 0; i < definition.Attributes.Length; i++)
        {
            var attribute = definition.Attributes[i];
            var (errno, reason, next) = Write(current, id, attribute);
            if (errno != Errno.None)
            {
                // mdevctl stops at the first failure and removes the device: nothing of it stays.
                return new BootFailure(id, BootStep.Attribute, errno, reason) { AttributeIndex = i, Attribute = attribute };
            }
            current = next;
        }
        state = current;
        return null;
    }

    private static (Errno Errno, string Reason, HostState State) Write(HostState state, MdevId id, MdevctlAttribute attribute)
    {
        var (name, value) = attribute;
        HostWrite write;
        if (Target(name) is { } target)
        {
            var parsed = IdText.TryParse(value, out var number);
            if (parsed != IdText.Error.None)
            {
                var errno = parsed == IdText.Error.ERANGE ? Errno.ERANGE : Errno.EINVAL;
                return (errno, $"The kernel does not read '{value}' as one id ({errno}).", state);
            }
            write = new AssignId(id, target.Target, number > long.MaxValue ? long.MaxValue : (long)number, target.Assign);
        }
        else if (name == "ap_config")
        {
            if (ApConfig(value) is not { } assignment)
            {
                return (Errno.EINVAL, $"The kernel does not read '{value}' as three masks.", state);
            }
            write = new WriteDeviceConfig(id, assignment);
        }
        else if (ReadOnly.Contains(name) || name == "remove")
        {
            return (Errno.EACCES, $"Attribute '{name}' cannot be written at start.", state);
        }
        else
        {
            return (Errno.ENOENT, $"Invalid attribute '{name}': the device has no such file.", state);
        }
        var result = SimulatedKernel.Apply(state, write);
        return result.Accepted ? (Errno.None, "", result.State) : (result.Errno, $"Failed to write {value} to attribute {name}: {result.Errno}.", state);
    }

    private static (AssignTarget Target, bool Assign)? Target(string name)
    {
        var assign = !name.StartsWith("un", StringComparison.Ordinal);
        return (assign ? name : name[2..]) switch
        {
            "assign_adapter" => (AssignTarget.Adapter, assign),
            "assign_domain" => (AssignTarget.Domain, assign),
            "assign_control_domain" => (AssignTarget.ControlDomain, assign),
            _ => null,
        };
    }

    /// <summary>The kernel's <c>ap_config</c> store: three absolute masks separated by commas.</summary>
    private static Assignment? ApConfig(string value)
    {
        var parts = value.TrimEnd('\n').Split(',');
        if (parts.Length != 3)
        {
            return null;
        }
        var masks = new ApMask[3];
        for (var i = 0; i < 3; i++)
        {
            if (parts[i].Length == 0 || parts[i][0] is '+' or '-' || MaskParser.Parse(parts[i], ApMask.Empty) is not { Success: true } parsed)
            {
                return null;
            }
            masks[i] = parsed.Mask;
        }
        return new Assignment(masks[0], masks[1], masks[2]);
    }
}
