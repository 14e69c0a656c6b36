using System.Collections.Immutable;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Persistence;

/// <summary>
/// A definition's ids as ap-check reads them (libap <c>load_attr_to_device</c>): the union of every
/// <c>assign_*</c> value, each split on commas and read with <c>strtol(…, 0)</c> into an unsigned int;
/// <c>ap_config</c> replaces all three sets; every other name, <c>unassign_*</c> included, is ignored.
/// Ids are sorted and unique. The kernel may end up with a different matrix (it applies unassigns).
/// </summary>
public sealed record ApCheckView(ImmutableArray<uint> Adapters, ImmutableArray<uint> Domains, ImmutableArray<uint> ControlDomains, string? Malformed)
{
    /// <summary>The ids 0..255 as an assignment; ids above 255 are only in the lists.</summary>
    public Assignment Assignment => new(ToMask(Adapters), ToMask(Domains), ToMask(ControlDomains));

    /// <summary>Some id above 255: libap's bit test reads past the mask and ap-check aborts.</summary>
    public bool HasIdAbove255 => Adapters.Any(Above) || Domains.Any(Above) || ControlDomains.Any(Above);

    public static ApCheckView Of(IEnumerable<MdevctlAttribute> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        SortedSet<uint> adapters = [], domains = [], controls = [];
        string? malformed = null;
        foreach (var (name, value) in attributes)
        {
            switch (name)
            {
                case MdevctlAttribute.AssignAdapter:
                    AddIds(adapters, value);
                    break;
                case MdevctlAttribute.AssignDomain:
                    AddIds(domains, value);
                    break;
                case MdevctlAttribute.AssignControlDomain:
                    AddIds(controls, value);
                    break;
                case "ap_config":
                    if (!TryApConfig(value, adapters, domains, controls))
                    {
                        // libap's util_assert: ap-check aborts on this definition.
                        malformed ??= $"ap_config value '{value}' is not three masks of 64 hex digits";
                    }
                    break;
            }
        }
        return new ApCheckView([.. adapters], [.. domains], [.. controls], malformed);
    }

    private static bool Above(uint id) => id > 255;

    private static ApMask ToMask(ImmutableArray<uint> ids) => ApMask.Of(ids.Where(id => !Above(id)).Select(id => (int)id));

    /// <summary><c>modify_device_attr</c>: strtok on <c>,</c> (empty items vanish), each item through strtol base 0.</summary>
    private static void AddIds(SortedSet<uint> into, string value)
    {
        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            into.Add(unchecked((uint)CStrtol.Parse(item)));
        }
    }

    /// <summary><c>modify_device_ap_config</c>: exactly three comma-separated masks, each at least 64 hex digits after an optional <c>0x</c>.</summary>
    private static bool TryApConfig(string value, SortedSet<uint> adapters, SortedSet<uint> domains, SortedSet<uint> controls)
    {
        var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !TryMask(parts[0], out var a) || !TryMask(parts[1], out var d) || !TryMask(parts[2], out var c))
        {
            return false;
        }
        adapters.Clear();
        domains.Clear();
        controls.Clear();
        adapters.UnionWith(a.ToArray().Select(id => (uint)id));
        domains.UnionWith(d.ToArray().Select(id => (uint)id));
        controls.UnionWith(c.ToArray().Select(id => (uint)id));
        return true;
    }

    /// <summary>libap <c>ap_mask_to_list</c>: bits 0..255 of the first 64 hex digits.</summary>
    private static bool TryMask(string text, out ApMask mask)
    {
        mask = ApMask.Empty;
        var digits = text.StartsWith("0x", StringComparison.Ordinal) ? text.AsSpan(2) : text.AsSpan();
        if (digits.Length < 64 || digits[..64].ContainsAnyExcept("0123456789abcdefABCDEF"))
        {
            return false;
        }
        var parsed = MaskParser.Parse("0x" + digits[..64].ToString(), ApMask.Empty);
        mask = parsed.Mask;
        return parsed.Success;
    }
}
