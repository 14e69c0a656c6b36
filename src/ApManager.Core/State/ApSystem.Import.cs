using ApManager.Core.Audit;
using ApManager.Core.Host;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;
using ApManager.Core.Transfer;

namespace ApManager.Core.State;

/// <summary>Import: a whole configuration in one step.</summary>
public sealed partial class ApSystem
{
    /// <summary>
    /// Applies a whole configuration in one step, all or nothing (SPEC §8): masks must parse,
    /// every device must meet the range, owned-by-host (under the imported masks), no-sharing and
    /// guest rules (<see cref="ImportRules"/>). Refusals list every offender across all devices.
    /// </summary>
    public Outcome<ImportResult> Import(ImportPlan plan, WriteOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var audit = new AuditInfo("import", "configuration",
            AuditJson.Serialize(new { apmask = plan.Apmask?.Text, aqmask = plan.Aqmask?.Text, devices = plan.Devices?.Count, guests = plan.Guests?.Count }),
            s => AuditJson.Serialize(new { apmask = s.Bus.Apmask.ToString(), aqmask = s.Bus.Aqmask.ToString(), mdevs = s.Mdevs.Count, guests = s.Guests.Count, version = s.Version }));
        return _runner.Run<ImportResult>(options, audit, s =>
        {
            // Omitted members mean "as they are now", read in the step that applies the rest.
            var full = plan.Complete(s);
            if (ImportRules.CheckSyntax(full, s.Bus.Apmask, s.Bus.Aqmask, out var masks) is { } invalid)
            {
                return invalid;
            }
            if (options.Fails(s.Version))
            {
                return new VersionMismatch("global", options.IfMatch!.Value.Expected, s.Version);
            }
            if (Host.Kind == HostKind.Sysfs)
            {
                // A real host cannot apply a whole configuration in one step: no kernel write does that.
                return new UnsupportedOnHost("import", "A real host changes one attribute per write; apply the configuration with the single calls, or keep it as mdevctl definitions.");
            }
            if (ImportRules.CheckState(full, masks, s.Topology, MaxMdevs, out var write) is { } refused)
            {
                return refused;
            }
            var names = full.Devices.ToDictionary(d => d.Id, d => d.Name);
            var forms = full.Devices.ToDictionary(d => d.Id, d => d.Mdevctl);
            if (Unchanged(s, write!, names, forms))
            {
                return new ImportResult(s, [], options.DryRun, false);
            }
            return new Writing<ImportResult>(write!, (next, rebound) => new ImportResult(next, rebound, options.DryRun, true), names, forms);
        });
    }

    private static bool Unchanged(ApSnapshot s, Host.ReplaceConfiguration write, Dictionary<MdevId, string?> names, Dictionary<MdevId, Persistence.MdevctlDefinition?> forms) =>
        s.Bus.Apmask == write.Apmask && s.Bus.Aqmask == write.Aqmask
        && write.Configured.All(c => s.Adapter(c.Key)!.Configured == c.Value)
        && write.Devices.Count == s.Mdevs.Count
        && write.Devices.All(d => s.Mdev(d.Id) is { } m && m.Name == names[d.Id] && m.Assignment == d.Assignment && m.Guest == d.Guest
            && Equals(m.Mdevctl, forms[d.Id]));
}
