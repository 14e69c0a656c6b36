using ApManager.Core.Audit;
using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Refusals;

namespace ApManager.Core.State;

/// <summary>The bus commands: the permission masks.</summary>
public sealed partial class ApSystem
{
    /// <summary>
    /// One atomic change of apmask and/or aqmask (SPEC §2, §4): parse, If-Match, no-op check,
    /// in_use over exactly the APQNs that become default-owned (every driver asked, every
    /// offender listed), then the host write and rebinding.
    /// </summary>
    public Outcome<BusChange> ChangeMasks(MaskInput? apmask, MaskInput? aqmask, WriteOptions options = default)
    {
        var both = apmask is not null && aqmask is not null;
        var input = both ? AuditJson.Serialize(new { apmask = apmask!.Value.Text, aqmask = aqmask!.Value.Text }) : (apmask ?? aqmask)?.Text;
        var audit = new AuditInfo(both ? "bus.masks" : apmask is not null ? "bus.apmask" : "bus.aqmask", "bus", input, AuditJson.Bus);
        return _runner.Run<BusChange>(options, audit, s =>
        {
            var parsed = MaskRules.Parse(apmask, aqmask, s.Bus.Apmask, s.Bus.Aqmask);
            if (!parsed.Success)
            {
                return MaskRules.Refusal(parsed, apmask, aqmask);
            }
            if (options.Fails(s.Bus.Version))
            {
                return new VersionMismatch("bus", options.IfMatch!.Value.Expected, s.Bus.Version);
            }
            if (parsed.Apmask == s.Bus.Apmask && parsed.Aqmask == s.Bus.Aqmask)
            {
                return new BusChange(s.Bus, [], options.DryRun);
            }
            var attribute = MaskRules.Attribute(apmask is not null, aqmask is not null);
            var answer = Drivers.Query(s, InUseQuery.NewlyOwned(s.Bus.Apmask, s.Bus.Aqmask, parsed.Apmask, parsed.Aqmask));
            if (answer.Failed)
            {
                return new InUseCheckFailed(attribute, answer.FailedDriver!, answer.Failure!);
            }
            if (answer.Offenders.Count > 0)
            {
                var inputs = new Dictionary<string, string>();
                if (apmask is { } ap)
                {
                    inputs["apmask"] = ap.Text;
                }
                if (aqmask is { } aq)
                {
                    inputs["aqmask"] = aq.Text;
                }
                return new QueuesInUse(attribute, inputs, answer.Offenders);
            }
            return new Writing<BusChange>(new WriteMasks(apmask?.Bytes, aqmask?.Bytes), (next, rebound) => new BusChange(next.Bus, rebound, options.DryRun));
        });
    }
}
