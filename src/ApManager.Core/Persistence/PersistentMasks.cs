using ApManager.Core.Masks;
using ApManager.Core.Refusals;

namespace ApManager.Core.Persistence;

/// <summary>Which chzdev wrote the rules file: the layout a rewrite keeps.</summary>
public enum RulesFileLayout
{
    /// <summary>s390-tools v2.40.0 and later: with the coldplug <c>add</c> trigger.</summary>
    Current,

    /// <summary>s390-tools v2.22.0 to v2.39.x: the <c>change</c> trigger only.</summary>
    BeforeV240,

    /// <summary>Not a file chzdev wrote (edited by hand): read as libap reads it, rewritten in the current layout.</summary>
    Other,
}

/// <summary>
/// The boot-time masks chzdev keeps for device type <c>ap</c> (<c>chzdev -p -t ap apmask=… aqmask=…</c>).
/// A mask that is null is not in the file: at boot it keeps the kernel's value.
/// </summary>
public sealed record PersistentMasks(ApMask? Apmask, ApMask? Aqmask, RulesFileLayout Layout = RulesFileLayout.Current)
{
    /// <summary>No rules file.</summary>
    public static PersistentMasks None { get; } = new(null, null);

    public bool IsEmpty => Apmask is null && Aqmask is null;

    /// <summary>apmask after boot: the persistent value, else the kernel's default (boot parameter or all ones).</summary>
    public ApMask BootApmask(ApMask kernelDefault) => Apmask ?? kernelDefault;

    public ApMask BootAqmask(ApMask kernelDefault) => Aqmask ?? kernelDefault;

    /// <summary>
    /// Applies mask writes in the kernel's syntax (SPEC §2): a relative write edits the persistent
    /// value, or the active one where the file has none (libap's fallback, as chzdev does). A mask
    /// not written stays as it is, absent included. Parse failures refuse like a sysfs write.
    /// </summary>
    public Refusal? TryApply(MaskInput? apmask, MaskInput? aqmask, ApMask activeApmask, ApMask activeAqmask, out PersistentMasks next)
    {
        next = this;
        var parsed = MaskRules.Parse(apmask, aqmask, Apmask ?? activeApmask, Aqmask ?? activeAqmask);
        if (!parsed.Success)
        {
            return MaskRules.Refusal(parsed, apmask, aqmask);
        }
        next = this with
        {
            Apmask = apmask is null ? Apmask : parsed.Apmask,
            Aqmask = aqmask is null ? Aqmask : parsed.Aqmask,
        };
        return null;
    }

    /// <summary><c>chzdev -p -t ap --remove apmask</c> (and/or aqmask): the mask leaves the file.</summary>
    public PersistentMasks Without(bool apmask, bool aqmask) =>
        this with { Apmask = apmask ? null : Apmask, Aqmask = aqmask ? null : Aqmask };
}
