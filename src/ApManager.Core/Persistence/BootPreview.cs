using ApManager.Core.Host;
using ApManager.Core.Host.Simulated;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;

namespace ApManager.Core.Persistence;

/// <summary>A device that comes back: its matrix, the guest matrix a guest would see, and ids the configuration no longer has.</summary>
public sealed record BootDevice(MdevId Id, Assignment Assignment, GuestMatrix GuestMatrix, ApMask MissingAdapters, ApMask MissingDomains);

/// <summary>Where <c>mdevctl start</c> of an autostart definition stops at boot.</summary>
public enum BootStep
{
    /// <summary>ap-check's pre-start callout refused: the device is not created.</summary>
    ApCheck,

    /// <summary>Writing the UUID to <c>create</c> failed.</summary>
    Create,

    /// <summary>An attribute write failed: mdevctl removes the device.</summary>
    Attribute,
}

/// <summary>An autostart definition that would not come back, and why; for attribute writes the first failing one (index into <c>attrs</c>).</summary>
public sealed record BootFailure(MdevId Id, BootStep Step, Errno Errno, string Reason)
{
    public int? AttributeIndex { get; init; }

    public MdevctlAttribute? Attribute { get; init; }

    /// <summary>For ap-check refusals: the APQNs shared with devices started before, or given to the host.</summary>
    public IReadOnlyList<DefinitionOffender> Offenders { get; init; } = [];
}

/// <summary>
/// The state a host comes up with (fact sheet §5): the masks from the rules file (else the kernel's
/// defaults), then every autostart definition in the given order (mdevctl uses readdir order)
/// through ap-check's pre-start checks and <c>mdevctl start</c>, on the simulated kernel.
/// </summary>
/// <param name="State">The host after boot, ready for a simulated reboot to adopt.</param>
/// <param name="Conflicts">Every rule the definitions break together (<see cref="BootRules.CheckAll"/>), whatever the order.</param>
public sealed record BootPreview(
    ApMask Apmask,
    ApMask Aqmask,
    IReadOnlyList<BootDevice> Started,
    IReadOnlyList<BootFailure> Failed,
    IReadOnlyList<MdevId> Manual,
    DefinitionConflict? Conflicts,
    HostState State)
{
    public static BootPreview Of(PersistentMasks masks, ApMask kernelApmask, ApMask kernelAqmask, IReadOnlyList<DefinedDevice> definitions,
        HostTopology topology, int maxDevices, IReadOnlyDictionary<int, bool>? configured = null)
    {
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(topology);
        var apmask = masks.BootApmask(kernelApmask);
        var aqmask = masks.BootAqmask(kernelAqmask);
        var state = SimulatedKernel.Boot(topology, new InitialState(apmask, aqmask, [], configured), maxDevices);
        var started = new List<MdevId>();
        var failed = new List<BootFailure>();
        foreach (var (id, definition) in definitions.Where(d => d.Definition.Autostart))
        {
            var failure = MdevctlStart.PreStartCheck(state, id, definition.ApCheck) ?? MdevctlStart.Start(ref state, id, definition);
            if (failure is null)
            {
                started.Add(id);
            }
            else
            {
                failed.Add(failure);
            }
        }
        var devices = started.Select(id => state.Device(id)!).Select(d => new BootDevice(d.Id, d.Assignment, d.GuestMatrix,
            d.Assignment.Adapters.Except(topology.AdapterIds), d.Assignment.Domains.Except(topology.UsageDomains))).ToList();
        var manual = definitions.Where(d => !d.Definition.Autostart).Select(d => d.Id).ToList();
        return new BootPreview(apmask, aqmask, devices, failed, manual, BootRules.CheckAll(apmask, aqmask, definitions), state);
    }
}
