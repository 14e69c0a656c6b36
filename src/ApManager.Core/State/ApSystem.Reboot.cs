using ApManager.Core.Audit;
using ApManager.Core.Host;
using ApManager.Core.Persistence;
using ApManager.Core.Refusals;

namespace ApManager.Core.State;

/// <summary>The simulated reboot: the host comes back as the boot preview says.</summary>
public sealed partial class ApSystem
{
    /// <summary>
    /// What the host would come up with after a reboot with these definitions and persistent masks
    /// (kernel default masks all ones, adapters configured as now).
    /// </summary>
    public BootPreview PreviewBoot(DefinitionSet definitions) => PreviewBoot(definitions, Current);

    private BootPreview PreviewBoot(DefinitionSet definitions, ApSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        return BootPreview.Of(definitions.Masks, ApMaskDefaults.Kernel, ApMaskDefaults.Kernel, definitions.Defined, s.Topology, MaxMdevs,
            s.Adapters.ToDictionary(a => a.Id, a => a.Configured));
    }

    /// <summary>
    /// A simulated reboot as one audited step: masks from the rules file, autostart definitions
    /// started in order, guests gone. A real host is rebooted by its administrator, not by ApManager.
    /// </summary>
    public Outcome<RebootResult> Reboot(DefinitionSet definitions, WriteOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var audit = new AuditInfo("host.reboot", "host", null, AuditJson.Host);
        return _runner.Run<RebootResult>(options, audit, s =>
        {
            if (Host.Kind == HostKind.Sysfs)
            {
                return new UnsupportedOnHost("reboot", "ApManager does not reboot a real host; GET /api/boot-preview shows what it would come up with.");
            }
            if (options.Fails(s.Version))
            {
                return new VersionMismatch("global", options.IfMatch!.Value.Expected, s.Version);
            }
            var preview = PreviewBoot(definitions, s);
            // Names are ApManager's, not mdevctl's: a device that comes back keeps its name.
            var names = preview.Started.ToDictionary(d => d.Id, d => s.Mdev(d.Id)?.Name);
            return new Writing<RebootResult>(new Reboot(preview.State), (next, _) => new RebootResult(next, preview, options.DryRun), names);
        });
    }
}

/// <summary>The answer to a simulated reboot: the state it came up with and the preview it followed.</summary>
public sealed record RebootResult(ApSnapshot Snapshot, BootPreview Preview, bool DryRun);

internal static class ApMaskDefaults
{
    /// <summary>The kernel's apmask and aqmask without boot parameters: every bit set, all queues for the host.</summary>
    public static Masks.ApMask Kernel => Masks.ApMask.All;
}
