using System.Collections.Immutable;
using System.Globalization;
using ApManager.Core.State;
using Microsoft.Extensions.Primitives;

namespace ApManager.Api.Http;

/// <summary>Versions as strong entity tags (<c>"N"</c>) and the <c>If-Match</c> header as RFC 9110 §13.1.1 defines it.</summary>
public static class ETags
{
    public static string Format(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    public static void Set(HttpContext context, long version) => context.Response.Headers.ETag = Format(version);

    /// <summary>
    /// <c>If-Match</c>: absent or <c>*</c> = no precondition (every resource ApManager addresses
    /// exists by the time it is compared); otherwise a list of entity tags compared strongly, so a
    /// weak tag (<c>W/"N"</c>) or one ApManager never sends names no version and the call answers 412.
    /// </summary>
    public static IfMatch? ParseIfMatch(StringValues header)
    {
        var versions = ImmutableArray.CreateBuilder<long>();
        var any = false;
        var seen = false;
        foreach (var line in header)
        {
            var text = line.AsSpan();
            var i = 0;
            while (i < text.Length)
            {
                while (i < text.Length && (text[i] is ' ' or '\t' or ','))
                {
                    i++;
                }
                if (i == text.Length)
                {
                    break;
                }
                seen = true;
                if (text[i] == '*')
                {
                    any = true;
                    i++;
                }
                else
                {
                    var weak = text[i..].StartsWith("W/");
                    if (weak)
                    {
                        i += 2;
                    }
                    if (i < text.Length && text[i] == '"')
                    {
                        var close = text[(i + 1)..].IndexOf('"');
                        var end = close < 0 ? text.Length : i + 1 + close;
                        if (!weak && close >= 0 &&
                            long.TryParse(text[(i + 1)..end], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                        {
                            versions.Add(version);
                        }
                        i = Math.Min(text.Length, end + 1);
                    }
                }
                // Anything up to the next comma belongs to this (malformed) element: it matches nothing.
                while (i < text.Length && text[i] != ',')
                {
                    i++;
                }
            }
        }
        if (!seen || any)
        {
            return null;
        }
        return new IfMatch(versions.ToImmutable());
    }
}
