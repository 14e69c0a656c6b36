using ApManager.Core.Refusals;

namespace ApManager.Core.Masks;

/// <summary>
/// The rules of a mask change (SPEC §2, §4, §10.6), once for the simulated kernel and the manager:
/// both writes parse (apmask first, the first failure decides), and the attribute a change names.
/// </summary>
public static class MaskRules
{
    /// <summary>The attribute a change of one or both masks names: <c>apmask</c>, <c>aqmask</c> or <c>apmask,aqmask</c>.</summary>
    public static string Attribute(bool apmask, bool aqmask) => apmask && aqmask ? "apmask,aqmask" : apmask ? "apmask" : "aqmask";

    /// <summary>
    /// Parses each given write against its current mask, apmask first. On success the masks
    /// afterwards; otherwise the attribute that failed and its parse result.
    /// </summary>
    public static ParsedMasks Parse(ReadOnlySpan<byte> apmask, bool hasApmask, ReadOnlySpan<byte> aqmask, bool hasAqmask, ApMask currentApmask, ApMask currentAqmask)
    {
        var newApm = currentApmask;
        var newAqm = currentAqmask;
        if (hasApmask)
        {
            var parsed = MaskParser.Parse(apmask, currentApmask);
            if (!parsed.Success)
            {
                return new ParsedMasks(default, default, "apmask", parsed);
            }
            newApm = parsed.Mask;
        }
        if (hasAqmask)
        {
            var parsed = MaskParser.Parse(aqmask, currentAqmask);
            if (!parsed.Success)
            {
                return new ParsedMasks(default, default, "aqmask", parsed);
            }
            newAqm = parsed.Mask;
        }
        return new ParsedMasks(newApm, newAqm, null, default);
    }

    /// <summary><see cref="Parse(ReadOnlySpan{byte}, bool, ReadOnlySpan{byte}, bool, ApMask, ApMask)"/> of inputs as received; a failure becomes the refusal naming the input text.</summary>
    public static ParsedMasks Parse(MaskInput? apmask, MaskInput? aqmask, ApMask currentApmask, ApMask currentAqmask) =>
        Parse(apmask?.Bytes, apmask is not null, aqmask?.Bytes, aqmask is not null, currentApmask, currentAqmask);

    /// <summary>The refusal for a failed parse of <paramref name="input"/>.</summary>
    public static InvalidMask Refusal(ParsedMasks parsed, MaskInput? apmask, MaskInput? aqmask)
    {
        var input = parsed.FailedAttribute == "apmask" ? apmask!.Value : aqmask!.Value;
        return new InvalidMask(parsed.FailedAttribute!, input.Text, parsed.Failure.Errno, parsed.Failure.Position);
    }
}

/// <summary>Both masks after a parsed change, or the attribute whose write failed and how.</summary>
public readonly record struct ParsedMasks(ApMask Apmask, ApMask Aqmask, string? FailedAttribute, MaskParseResult Failure)
{
    public bool Success => FailedAttribute is null;
}
